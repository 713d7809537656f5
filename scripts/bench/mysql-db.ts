import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";

/** The MariaDB the benches use when asked for `--db=mysql` without a DATABASE_URL. */
const SERVER = process.env.MYSQL_TEST_URL || "mysql://root@127.0.0.1:3306";

async function admin(sql: string): Promise<void> {
  const conn = await mysql.createConnection(SERVER);
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

/** A throwaway database for one bench run; drop it with dropMysqlDatabase(name). */
export async function createMysqlDatabase(): Promise<{ url: string; name: string }> {
  const name = `zr_bench_${randomBytes(4).toString("hex")}`;
  await admin(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return { url: `${SERVER.replace(/\/+$/, "")}/${name}`, name };
}

export async function dropMysqlDatabase(name: string): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS \`${name}\``);
}
