import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { resolve } from 'node:path';
import { BackupProblem, createBackup, restoreBackup, type BackupProgress } from '../infra/local/backup/local-backup';
import { migrateDynamoDbLocal } from '../infra/local/backup/migrate-dynamodb-local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `steward`: the command line for people and CI. For now the local
 * platform's operator commands: backup, restore, migrate.
 */
const program = new Command('steward').description('Steward ModelOps: operator commands for the local platform');
const dataDirOption = ['--data-dir <folder>', 'the local data folder', process.env.STEWARD_DATA_DIR ?? '.steward-data'] as const;

program
  .command('backup')
  .description('write a consistent backup of the local platform (metadata and artifacts) to a folder, or a .tar.gz')
  .option(...dataDirOption)
  .requiredOption('--to <path>', 'a new folder, or a file ending in .tar.gz')
  .action(async (options: { dataDir: string; to: string }) => {
    const manifest = await withProgress((progress) => createBackup(resolve(options.dataDir), resolve(options.to), progress));
    process.stdout.write(`backup written to ${options.to}: metadata schema ${manifest.schemaVersion}, ${manifest.objects} objects\n`);
  });

program
  .command('restore')
  .description('restore a backup into an empty data folder, then verify every audit chain and artifact hash')
  .option(...dataDirOption)
  .requiredOption('--from <path>', 'a backup folder or .tar.gz')
  .option('--bucket <name>', 'the local bucket name', process.env.STEWARD_BUCKET_NAME ?? 'steward-artifacts')
  .action(async (options: { dataDir: string; from: string; bucket: string }) => {
    const report = await withProgress((progress) => restoreBackup(resolve(options.from), resolve(options.dataDir), { bucket: options.bucket, progress }));
    process.stdout.write(
      `restored into ${options.dataDir}: ${report.tenants} tenants, ${report.chainsVerified} audit chains verified, ${report.artifactsChecked} artifacts match their SHA-256\n`,
    );
  });

program
  .command('migrate')
  .description('move a data folder kept by DynamoDB Local (the old default) to the embedded store; needs Java 17 once')
  .option(...dataDirOption)
  .option('--table <name>', 'the DynamoDB table name', process.env.STEWARD_TABLE_NAME ?? 'steward')
  .action(async (options: { dataDir: string; table: string }) => {
    const report = await withProgress((progress) => migrateDynamoDbLocal(resolve(options.dataDir), { tableName: options.table, progress }));
    process.stdout.write(
      `migrated ${report.items} items (${report.tenants} tenants, ${report.chainsVerified} audit chains verified); the old folder is kept at ${report.keptAt}\n`,
    );
  });

async function withProgress<T>(work: (progress: BackupProgress) => Promise<T>): Promise<T> {
  const bar = process.stderr.isTTY ? new SingleBar({ format: ' {step} [{bar}] {value}/{total}', clearOnComplete: true }, Presets.shades_classic) : undefined;
  let current = '';
  try {
    return await work((step, done, total) => {
      if (!bar) return;
      if (step !== current) {
        if (current) bar.stop();
        current = step;
        bar.start(Math.max(total, 1), done, { step });
      } else bar.update(done, { step });
      bar.setTotal(Math.max(total, 1));
    });
  } finally {
    bar?.stop();
  }
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`steward: ${error instanceof BackupProblem ? error.message : error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
