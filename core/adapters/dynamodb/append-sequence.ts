import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * An append-only sequence whose items are linked to each other at commit
 * time, behind one head item (an audit hash chain: core/audit/chain-at-commit.ts).
 *
 * The TransactionCombiner links a transaction's appended Puts while it builds
 * the combined call: every transaction of a group appending to one sequence
 * shares ONE conditional head write, so a group of eight registrations costs
 * one extra item instead of eight more writes later. The head write's
 * condition (the store still holds `before`) keeps the sequence gapless when
 * other processes append too; a refused head only sends the group again.
 *
 * Implementations keep the head as this process last committed it, so the
 * common case reads nothing.
 */
export interface AppendSequence<S = unknown> {
  /** The head item's key as the combiner names items (`TableName \0 pk \0 sk`). */
  readonly headKey: string;
  /** The head as this process knows it; reads the store when it does not. Throws when the sequence cannot be extended. */
  head(): Promise<S>;
  /** The Put `item` linked after `state`: the item to write instead, and the state after it. Throws when it cannot be linked. */
  link(state: S, item: TransactItem): { item: TransactItem; state: S };
  /** The head write from `before` to `after`, applying only while the store still holds `before`. */
  advance(before: S, after: S): TransactItem;
  /** The combined call committed: the store now holds `after`. */
  committed(after: S): void;
  /** The call was refused or its outcome is unknown: forget the head, read it again next time. */
  forget(): void;
}

/** Item `index` of a transaction is appended to `sequence` (linked at commit when it can be, written as it is otherwise). */
export interface Append {
  readonly index: number;
  readonly sequence: AppendSequence;
}
