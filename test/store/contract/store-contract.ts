/**
 * The store contract, once for every store (in the manner of BullMQ's adapter conformance tests):
 * the rules src/store/audit-store.ts lists and what src/store/audit-reader.ts promises, checked
 * through the factories the product opens stores with. Each store adds one small file here that
 * calls describeStoreContract with a way to get a fresh, empty store of its kind: `fresh()` is
 * called at the start of each test (tests of one file run one after another), e.g. a new SQLite
 * file, or for PostgreSQL a database created once per test file (and dropped after it) emptied or
 * given a new schema per call.
 */
import { describe } from 'vitest';
import type { FreshStore } from './fixtures.js';
import { describeHistoryContract } from './history-contract.js';
import { describeReadContract } from './read-contract.js';
import { describeTrailContract } from './trail-contract.js';
import { describeRetentionContract } from './retention-contract.js';
import { describeWriteContract } from './write-contract.js';
import { describeResetContract } from './reset-contract.js';
import { describeReconcileContract } from './reconcile-contract.js';
import { describeLagContract } from './lag-contract.js';
import { describeVersionCheckContract } from './version-check-contract.js';
import { describeActivityContract } from './activity-contract.js';
import { describeCountsContract } from './counts-contract.js';

export type { ContractStore, FreshStore } from './fixtures.js';

export function describeStoreContract(name: string, fresh: FreshStore): void {
  describe(`the store contract: ${name}`, () => {
    describe('writes', () => describeWriteContract(fresh));
    describe('reads', () => describeReadContract(fresh));
    describe('the trail in ingestion order', () => describeTrailContract(fresh));
    describe('operator resets', () => describeResetContract(fresh));
    describe('retention', () => describeRetentionContract(fresh));
    describe('history', () => describeHistoryContract(fresh));
    describe('reconciliation', () => describeReconcileContract(fresh));
    describe('visibility lag', () => describeLagContract(fresh));
    describe('versions checked', () => describeVersionCheckContract(fresh));
    describe('activity', () => describeActivityContract(fresh));
    describe('event counts', () => describeCountsContract(fresh));
  });
}
