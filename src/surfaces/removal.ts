/**
 * How the pack removes a row from every node's views: its tombstone
 * (`tombstoneOf`) and then its delete, in one batch. The tombstone passes
 * through every node's `match`, which rejects it and so tells that node's
 * view index the row is gone; the delete alone would reach the views by key
 * only, leaving the index to believe its views still hold the row.
 *
 * @module
 */
import type { MutationActions } from '../contract.js';
import { tombstoneOf } from '../machine.js';
import type { PresenceRow } from '../row.js';

/**
 * Removes `row` from the views of every node the batch reaches.
 *
 * @param actions - the mutation's or schedule's actions
 * @param table - the pack's table
 * @param row - the row to remove
 * @param stored - `true` when the store still holds the row (the delete goes through the writer); `false` when the store already dropped it (the delete is only announced)
 */
export const removeRow = async (actions: MutationActions, table: string, row: PresenceRow, stored: boolean): Promise<void> => {
  await actions.change(table, { op: 'update', row: tombstoneOf(row) });
  if (stored) await actions.delete(table, row);
  else await actions.change(table, { op: 'delete', row });
};
