// Small HTTP helpers for tests that talk to a real server on 127.0.0.1.
import { request } from "node:http";

export interface HttpResult {
  status: number;
  body: string;
}

/**
 * One request over a fresh connection (no keep-alive pool, so a closed server
 * is not kept open by the client). Rejects when the connection is refused.
 */
export function httpRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpResult> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        agent: false,
        headers: { connection: "close", ...(body === undefined ? {} : { "content-type": "application/json" }), ...options.headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A Telegram webhook delivery: POST with the secret token header. */
export const postUpdate = (port: number, path: string, update: unknown, secretToken?: string): Promise<HttpResult> =>
  httpRequest(port, path, { body: update, headers: secretToken === undefined ? {} : { "x-telegram-bot-api-secret-token": secretToken } });
