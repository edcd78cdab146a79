/**
 * Wraps an AuditStore so every call passes through and the events newly stored are counted, for
 * the timeline. A Proxy rather than a class, so the wrapper keeps up with the interface as it grows.
 */
import type { AuditStore, PageBatch, PageWrite, WriteResult } from '../src/store/audit-store.js';

export interface CountingStore {
  store: AuditStore;
  stored(): number;
}

export function countingStore(inner: AuditStore): CountingStore {
  let stored = 0;
  const count = (result: WriteResult): WriteResult => {
    for (const inserted of result.insertedByEnvironment.values()) stored += inserted;
    return result;
  };
  const writePages: AuditStore['writePages'] = async (pages: readonly PageWrite[]) => count(await inner.writePages(pages));
  const openBatch = (): PageBatch => {
    const batch = inner.openBatch();
    return {
      add: (page) => batch.add(page),
      get size() {
        return batch.size;
      },
      commit: async () => count(await batch.commit()),
    };
  };
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === 'writePages') return writePages;
      if (property === 'openBatch') return openBatch;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, stored: () => stored };
}
