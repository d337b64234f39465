import type { SignalApi } from '@backstage/plugin-signals-react';
import {
  mlopsSignalChannel,
  type MlopsSignal,
} from '@mlops-portal/plugin-mlops-common';
import type { MlopsApi } from '../api';
import { MlopsEntityStore } from './mlopsEntityStore';

/**
 * How often the page refreshes while something executes (signals may be off)
 * or monitoring is on screen: monitoring at most this often.
 */
export const POLL_INTERVAL_MS = 5000;

interface Entry {
  store: MlopsEntityStore;
  users: number;
  stopLive?: () => void;
}

// One registry per API client (that is, per app): every card of an entity on
// a page, wherever it is placed, finds the same store.
const registries = new WeakMap<MlopsApi, Map<string, Entry>>();

function registry(api: MlopsApi): Map<string, Entry> {
  let entries = registries.get(api);
  if (!entries) {
    entries = new Map();
    registries.set(api, entries);
  }
  return entries;
}

/** The entity's shared store, created on first use. */
export function getEntityStore(
  api: MlopsApi,
  entityRef: string,
): MlopsEntityStore {
  const entries = registry(api);
  let entry = entries.get(entityRef);
  if (!entry) {
    entry = { store: new MlopsEntityStore(api, entityRef), users: 0 };
    entries.set(entityRef, entry);
  }
  return entry.store;
}

/**
 * Keeps a store live while at least one view uses it: its signals refetch
 * what they name, and a poll ticks while something executes. Returns the
 * release; when the last view goes, the store (and its cache) goes too.
 */
export function retainEntityStore(
  api: MlopsApi,
  store: MlopsEntityStore,
  signalApi: SignalApi | undefined,
): () => void {
  const entries = registry(api);
  let entry = entries.get(store.entityRef);
  if (entry?.store !== store) {
    // Released to zero and taken again (e.g. a remount): register it anew.
    entry = { store, users: 0 };
    entries.set(store.entityRef, entry);
  }
  const held = entry;
  held.users += 1;
  if (held.users === 1) held.stopLive = startLive(store, signalApi);
  return () => {
    held.users -= 1;
    if (held.users > 0) return;
    held.stopLive?.();
    if (entries.get(store.entityRef) === held) entries.delete(store.entityRef);
  };
}

function startLive(
  store: MlopsEntityStore,
  signalApi: SignalApi | undefined,
): () => void {
  const subscription = signalApi?.subscribe(
    mlopsSignalChannel(store.entityRef),
    message => void store.onSignal(message as unknown as MlopsSignal),
  );
  let timer: ReturnType<typeof setInterval> | undefined;
  const schedule = () => {
    const live = store.isLive() || store.isWatching();
    if (live && !timer) {
      timer = setInterval(() => void store.tick(), POLL_INTERVAL_MS);
    } else if (!live && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const unsubscribe = store.subscribe(schedule);
  schedule();
  return () => {
    unsubscribe();
    subscription?.unsubscribe();
    if (timer) clearInterval(timer);
  };
}
