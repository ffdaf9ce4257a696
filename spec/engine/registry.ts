/**
 * The engine's registries: plain last-writer-wins maps (W2), and
 * `registerPack`, which only dispatches into them after its two checks.
 *
 * @module
 */
import type {
  CollectionDefinition,
  MutationDefinition,
  ScheduleDefinition,
  SyncPack,
  TablePermissions,
  TableReader,
  TableSchema,
  TableWriter,
} from '../../src/contract.js';
import { PackMissingDependencyError, PackTableConflictError } from './errors.js';
import type { RegisteredPack } from './types.js';

/** Everything registered with one engine. */
export interface Registry {
  /** Schemas by table. */
  readonly schemas: Map<string, TableSchema<any>>;
  /** Permission sets by table. */
  readonly permissions: Map<string, TablePermissions<any, any>>;
  /** Readers by table. */
  readonly readers: Map<string, TableReader<any, any>>;
  /** Writers by table. */
  readonly writers: Map<string, TableWriter<any, any, any>>;
  /** Collections by name. */
  readonly collections: Map<string, CollectionDefinition<any, any, any>>;
  /** Mutations by name. */
  readonly mutations: Map<string, MutationDefinition<any, any, any>>;
  /** Schedules by name. */
  readonly schedules: Map<string, ScheduleDefinition>;
  /** Owning pack by table; host registrations never appear here. */
  readonly owners: Map<string, string>;
  /** Packs in registration order. */
  readonly packs: RegisteredPack[];
}

/**
 * Creates the empty registries of a new engine.
 *
 * @returns an empty registry
 */
export function createRegistry(): Registry {
  return {
    schemas: new Map(),
    permissions: new Map(),
    readers: new Map(),
    writers: new Map(),
    collections: new Map(),
    mutations: new Map(),
    schedules: new Map(),
    owners: new Map(),
    packs: [],
  };
}

/**
 * Validates and stores a mutation: the engine requires exactly one of
 * `handler` and `sandboxedHandler`.
 *
 * @param registry - where to store it
 * @param mutation - the definition
 */
export function registerMutation(registry: Registry, mutation: MutationDefinition<any, any, any>): void {
  if (mutation.handler === undefined && mutation.sandboxedHandler === undefined) {
    throw new Error(`Mutation "${mutation.name}" must define either \`handler\` or \`sandboxedHandler\``);
  }
  if (mutation.handler !== undefined && mutation.sandboxedHandler !== undefined) {
    throw new Error(`Mutation "${mutation.name}" defines both \`handler\` and \`sandboxedHandler\` — pick one`);
  }
  registry.mutations.set(mutation.name, mutation);
}

/**
 * `registerPack` per ENGINE_CONTRACT.md §1: ownership conflicts, then
 * dependencies, then dispatch, then ownership and the pack list. Not atomic
 * (W1): a throwing dispatch leaves earlier entries registered and the pack
 * unrecorded.
 *
 * @param registry - where to register
 * @param pack - the pack
 */
export function registerPack(registry: Registry, pack: SyncPack): void {
  for (const table of pack.ownsTables) {
    const owner = registry.owners.get(table);
    if (owner !== undefined) throw new PackTableConflictError(table, owner, pack.name);
  }
  if (pack.requireDependencies === true) {
    for (const table of pack.readsTables ?? []) {
      if (!registry.readers.has(table)) throw new PackMissingDependencyError(pack.name, table);
    }
  }
  for (const [table, schema] of Object.entries(pack.schemas ?? {})) registry.schemas.set(table, schema);
  for (const [table, rules] of Object.entries(pack.permissions ?? {})) registry.permissions.set(table, rules);
  for (const [table, reader] of Object.entries(pack.readers ?? {})) registry.readers.set(table, reader);
  for (const [table, writer] of Object.entries(pack.writers ?? {})) registry.writers.set(table, writer);
  for (const collection of pack.collections ?? []) registry.collections.set(collection.name, collection);
  for (const mutation of pack.mutations ?? []) registerMutation(registry, mutation);
  for (const schedule of pack.schedules ?? []) registry.schedules.set(schedule.name, schedule);
  for (const table of pack.ownsTables) registry.owners.set(table, pack.name);
  registry.packs.push({
    name: pack.name,
    version: pack.version,
    ownsTables: [...pack.ownsTables],
    readsTables: [...(pack.readsTables ?? [])],
  });
}
