/**
 * Wraps an AuditStore so every call passes through and the events newly stored are counted, for
 * the timeline. A Proxy rather than a class, so the wrapper keeps up with the interface as it grows.
 */
import type { AuditStore, PageWrite } from '../src/store/audit-store.js';

export interface CountingStore {
  store: AuditStore;
  stored(): number;
}

export function countingStore(inner: AuditStore): CountingStore {
  let stored = 0;
  const writePages: AuditStore['writePages'] = async (pages: readonly PageWrite[]) => {
    const result = await inner.writePages(pages);
    for (const count of result.insertedByEnvironment.values()) stored += count;
    return result;
  };
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === 'writePages') return writePages;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, stored: () => stored };
}
