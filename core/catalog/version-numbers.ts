import type { MetadataTable } from '../ports/metadata-store';
import { loadModel, type Model } from './models';
import { latestVersionNumber } from './versions';

/** What registering a version needs of its model: fields that never change after the model is created. */
export type ModelFacts = Pick<Model, 'modelId' | 'projectId' | 'name' | 'type'>;

interface Remembered {
  readonly facts: ModelFacts;
  /** The highest number this process has seen taken; a guess, corrected by the store. */
  latest: number;
}

const MAX_REMEMBERED = 10_000;
const remembered = new Map<string, Remembered>();

/**
 * Version numbers claimed by the version key itself: a registration puts
 * `V#<n>` on condition that it does not exist, so two registrations of one
 * model can never get the same number, and numbers stay 1..n without gaps
 * (a refused put consumes nothing). The model item is not written at all.
 *
 * To save the store two reads per registration, the process remembers each
 * model's immutable facts (id, project, name, type: UpdateModelInput cannot
 * change them, and models are never deleted) and the last number it saw
 * taken. A stale guess only costs a refused put and a re-read
 * (`numberTaken`): another process (another Lambda container) registering on
 * the same model moves the number on, never the facts. Entries are keyed by
 * table and tenant prefix, so nothing crosses tenants.
 */
export class VersionNumbers {
  private constructor(
    private readonly table: MetadataTable,
    private readonly modelId: string,
  ) {}

  static of(table: MetadataTable, modelId: string): VersionNumbers {
    return new VersionNumbers(table, modelId);
  }

  /** Names this model in this store: the key under which registrations take turns. */
  get identity(): string {
    return this.key;
  }

  private get key(): string {
    return `${this.table.identity}\u0000${this.modelId}`;
  }

  /** The model's facts and the number to try; reads the store only for a model this process has not seen (NotFound if there is none). */
  async next(): Promise<{ facts: ModelFacts; number: number }> {
    const known = remembered.get(this.key);
    if (known) {
      // Map order doubles as LRU order.
      remembered.delete(this.key);
      remembered.set(this.key, known);
      return { facts: known.facts, number: known.latest + 1 };
    }
    const model = await loadModel(this.table, this.modelId);
    const entry = { facts: { modelId: model.modelId, projectId: model.projectId, name: model.name, type: model.type }, latest: model.latestVersion };
    this.remember(entry);
    return { facts: entry.facts, number: entry.latest + 1 };
  }

  /** Records a number this process just took. */
  taken(number: number): void {
    const known = remembered.get(this.key);
    if (known && number > known.latest) known.latest = number;
  }

  /**
   * After a refused put: re-reads the highest number and says whether `number`
   * is taken (then `next()` offers a free one); false means the refusal had
   * another cause.
   */
  async numberTaken(number: number): Promise<boolean> {
    const latest = await latestVersionNumber(this.table, this.modelId);
    const known = remembered.get(this.key);
    if (known) known.latest = Math.max(known.latest, latest);
    return latest >= number;
  }

  private remember(entry: Remembered): void {
    remembered.set(this.key, entry);
    if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  }
}
