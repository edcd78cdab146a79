/**
 * What verification reads from a store, as of one moment (AuditReader.snapshot): the event chains,
 * the inventory change log and the rows it covers, and the schema. The checks themselves are
 * store-neutral (src/store/chain/, src/checkpoint/verify-checkpoints.ts): a store only hands over
 * its rows, as it holds them.
 */
import type { ChainedRow } from './chain/event-chain.js';
import type { LoggedKind, LoggedRow } from './chain/inventory-digests.js';

/** A stored event with its place in its chain (null: a row no sync wrote). */
export type StoredEvent = ChainedRow & { chain_seq: number | null; chain_hash: Buffer | null };

/** Where the store says an environment's chain ends. */
export interface StoredChainHead {
  environmentId: string;
  seq: number;
  hash: Buffer;
  /** Rows up to this sequence number are chained in the first form (chainHashV1); 0: none. */
  v1ThroughSeq: number;
}

/** A cut a prune recorded (ChainCut in audit-store.ts), as the store holds it. */
export interface StoredChainCut {
  environmentId: string;
  pruneId: string;
  firstSeq: number;
  seq: number;
  hash: Buffer;
  prunedAt: string;
  command: string;
  archive: string | null;
  archiveSha256: string | null;
}

/** An event as an archive keeps it: its stored row, chain columns included, and its audit_trail row. */
export interface ArchivableEvent {
  event: StoredEvent;
  trail: Record<string, unknown>;
}

/** One entry of the inventory change log. */
export interface InventoryChange {
  seq: number;
  kind: LoggedKind;
  id: string;
  rowDigest: Buffer;
  seenAt: string;
  chainHash: Buffer;
}

/** One row of `inventory_versions` (rule 14), as the store holds it: times as ISO UTC with milliseconds. */
export interface StoredInventoryVersion {
  seq: number;
  kind: string;
  id: string;
  environmentId: string | null;
  validFrom: string;
  name: string | null;
  email: string | null;
  removedAt: string | null;
  content: string;
}

/** One object of the store's schema (SQLite: a table, view, trigger or index, with its SQL). */
export interface SchemaObject {
  type: string;
  name: string;
  tableName: string;
  sql: string;
}

export type SchemaDifference = { kind: 'unexpected' | 'missing' | 'changed'; object: SchemaObject };

export interface SchemaCheck {
  version: number;
  /** The digest checkpoints record of this schema. */
  digest: string;
  /** What the schema has that the migrations did not create at its version, lacks, or has in another form. */
  differences: SchemaDifference[];
  /** Set when the store's version is one this flatfile-audit does not know. */
  unknownVersion: boolean;
  /** The newest version this flatfile-audit's migrations know. */
  latestVersion: number;
}

export interface AuditSnapshot {
  /** Every environment's stored chain head. */
  chainHeads(): Promise<StoredChainHead[]>;
  /**
   * Calls `visit` with every stored event: each environment's chained rows in sequence order (rows
   * without a sequence may come anywhere among them; environments in any order).
   */
  eachEvent(visit: (row: StoredEvent) => void): Promise<void>;
  /** Every cut prunes recorded, each environment's in sequence order (none on a store older than retention). */
  chainCuts(): Promise<StoredChainCut[]>;
  /**
   * Calls `visit` with the events fromSeq..throughSeq of an environment's chain, a page at a time in
   * sequence order, reading the next page only once the promise `visit` returns has settled.
   */
  eachArchivable(environmentId: string, fromSeq: number, throughSeq: number, visit: (page: ArchivableEvent[]) => Promise<void>): Promise<void>;
  /** The hashes (hex) of the events stored at `seq` in an environment's chain: none when it is gone. */
  eventHashesAt(environmentId: string, seq: number): Promise<string[]>;
  /** One stored event by id, as eachEvent hands it over; undefined when there is none. */
  storedEvent(id: string): Promise<StoredEvent | undefined>;
  /** The highest sequence number among an environment's stored events; null: none. */
  lastEventSeq(environmentId: string): Promise<number | null>;
  /** Each environment's events as event_counts counts them (rule 19), summed over hours and actor types; null when the store predates the counts. */
  eventCounts(): Promise<Map<string, number> | null>;
  /** False when the store predates the inventory change log: there is nothing to check the inventories against. */
  inventoryLogged(): Promise<boolean>;
  /** Calls `visit` with every entry of the inventory change log, in sequence order. */
  eachInventoryChange(visit: (entry: InventoryChange) => void): Promise<void>;
  /** The chain hash (hex) of the log entry `seq`; undefined when there is none. */
  inventoryChangeHash(seq: number): Promise<string | undefined>;
  /** False when the store predates inventory versions (rule 14): there are none to check. */
  inventoryVersioned(): Promise<boolean>;
  /** Calls `visit` with every inventory version, in sequence order. */
  eachInventoryVersion(visit: (version: StoredInventoryVersion) => void): Promise<void>;
  /** The current rows of a logged table, as the digests take them (inventory-digests.ts). */
  inventoryRows(kind: LoggedKind): Promise<LoggedRow[]>;
  /** The store's schema against what this flatfile-audit's migrations create at its version. */
  schema(): Promise<SchemaCheck>;
  /** The digest of the schema this flatfile-audit's migrations create at `version`; undefined for a version it does not know. */
  schemaDigestAt(version: number): Promise<string | undefined>;
}
