import { createConnection } from "mysql2/promise";

/**
 * `DATABASE_URL=mysql://…/zhirong npm start` should work on a bare server: create the database
 * (utf8mb4, case-insensitive Unicode collation) when it does not exist yet. SQLite files are
 * created by the driver itself.
 */
export async function ensureDatabaseExists(url: string | undefined): Promise<boolean> {
  if (!url?.startsWith("mysql://")) return false;
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!name)
    throw new Error("DATABASE_URL names no database: use mysql://user:pass@host:port/dbname");
  if (!/^[A-Za-z0-9_$]+$/.test(name)) throw new Error(`unsupported database name: ${name}`);
  const conn = await createConnection({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
    connectTimeout: 10_000,
  });
  try {
    const [rows] = await conn.query(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
      [name],
    );
    if ((rows as unknown[]).length > 0) return false;
    await conn.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
    return true;
  } finally {
    await conn.end();
  }
}
