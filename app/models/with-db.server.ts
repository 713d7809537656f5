import { getDb, type Db } from "../utils/db.server";

/**
 * Runs a model function on the app's database:
 *
 *   const list = await withDb(listBankProducts, user.org_id, page);
 *
 * Routes call models through this and never hold a database handle of their own (a lint rule
 * keeps kysely and db.server out of app/routes), so every query and transaction stays in a
 * model. Tests, scripts and models calling each other pass their handle directly.
 */
export function withDb<A extends unknown[], R>(model: (db: Db, ...args: A) => R, ...args: A): R {
  return model(getDb(), ...args);
}
