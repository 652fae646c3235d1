import { Logger } from '@nestjs/common';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

export type AfterCommitHook = () => Promise<unknown> | unknown;

const pending = new WeakMap<QueryRunner, AfterCommitHook[]>();
const installed = new WeakSet<DataSource>();
const logger = new Logger('AfterCommit');

async function runHooks(hooks: AfterCommitHook[]): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook();
    } catch (err) {
      // The transaction has committed: a failing hook (Redis down while enqueueing a wake-up)
      // must not turn a successful write into an error. The reconcilers cover what it missed.
      logger.warn(`after-commit hook failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/**
 * Runs the hooks registered on a transaction once its outermost COMMIT has happened, and drops
 * them on ROLLBACK. Works with plain `dataSource.transaction(async (tx) => …)`: callers need no
 * special helper, and a module's service can say "enqueue this once the caller's transaction
 * has committed" with only the `EntityManager` it was given.
 */
class AfterCommitSubscriber implements EntitySubscriberInterface {
  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const qr = event.queryRunner;
    if (qr.isTransactionActive) return; // a savepoint was released; the transaction goes on
    const hooks = pending.get(qr);
    if (!hooks) return;
    pending.delete(qr);
    await runHooks(hooks);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) pending.delete(event.queryRunner);
  }
}

/** Installs the subscriber on a DataSource (idempotent). */
export function installAfterCommit(dataSource: DataSource): void {
  if (installed.has(dataSource)) return;
  installed.add(dataSource);
  dataSource.subscribers.push(new AfterCommitSubscriber());
}

/**
 * Runs `hook` after the transaction of `manager` commits (never when it rolls back). Outside a
 * transaction the statements already committed, so the hook runs at once. Hook errors are
 * logged, never thrown.
 */
export async function afterCommit(manager: EntityManager, hook: AfterCommitHook): Promise<void> {
  installAfterCommit(manager.dataSource);
  const qr = manager.queryRunner;
  if (!qr || !qr.isTransactionActive) {
    await runHooks([hook]);
    return;
  }
  const hooks = pending.get(qr);
  if (hooks) hooks.push(hook);
  else pending.set(qr, [hook]);
}
