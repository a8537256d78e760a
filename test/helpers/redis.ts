// A real redis-server on 127.0.0.1 for tests that need Redis (no mocks where
// the real part can run here). Each call starts its own server on a free
// port with no persistence, and `stop()` ends it. `.ci/run` installs
// redis-server; locally, when it is missing, `startRedis()` returns undefined
// and the tests say so and skip. Under CI a missing server is an error.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";

export interface RedisServer {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

export function redisServerPath(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
  return found === "" ? undefined : found;
}

/** Whether Redis tests can run; under CI they must. */
export const redisAvailable = (() => {
  const path = redisServerPath();
  if (!path && process.env.CI) throw new Error("redis-server is not installed, but CI must run the Redis tests (.ci/run installs it)");
  if (!path) console.warn("redis-server not found: the Redis tests are skipped (apt-get install redis-server to run them)");
  return path !== undefined;
})();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a throwaway redis-server on 127.0.0.1, or returns undefined when there is none. */
export async function startRedis(): Promise<RedisServer | undefined> {
  const path = redisServerPath();
  if (!path) return undefined;
  const port = await freePort();
  const child: ChildProcess = spawn(path, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"], {
    stdio: "ignore",
  });
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * For a `describe` block: starts a redis-server before its tests and stops
 * it (and every client `connect()` made) after them.
 *
 * ```ts
 * describe.skipIf(!redisAvailable)("with Redis", () => {
 *   const redis = useRedis();
 *   it("…", async () => { const client = redis.connect(); … });
 * });
 * ```
 */
export function useRedis(): { url: () => string; connect: () => Redis } {
  let server: RedisServer | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    await server?.stop();
  });
  return {
    url: () => server!.url,
    connect: () => {
      const client = new Redis(server!.url);
      clients.push(client);
      return client;
    },
  };
}
