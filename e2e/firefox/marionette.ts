import net from "node:net";

/**
 * A minimal Marionette client for what WebDriver BiDi lacks (virtual authenticators), attached to
 * the session the BiDi client created (Firefox has one). Wire format: `<byte length>:<JSON>`; a
 * hello first, then `[0, id, name, params]` answered by `[1, id, error, result]`.
 */
export type Marionette = {
  send<T>(command: string, params?: Record<string, unknown>): Promise<T>;
  close(): void;
};

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

export async function connectMarionette(port: number, timeoutMs: number): Promise<Marionette> {
  const socket = net.connect(port, "127.0.0.1");
  const pending = new Map<number, Pending>();
  let buffered = Buffer.alloc(0);
  let nextId = 1;
  let onHello: (() => void) | undefined;

  const failAll = (error: Error) => {
    for (const { reject, timer } of pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    pending.clear();
  };

  socket.on("data", (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      const colon = buffered.indexOf(":");
      if (colon < 0) return;
      const length = Number(buffered.subarray(0, colon).toString());
      if (buffered.length < colon + 1 + length) return;
      const message: unknown = JSON.parse(buffered.subarray(colon + 1, colon + 1 + length).toString());
      buffered = buffered.subarray(colon + 1 + length);
      if (!Array.isArray(message)) {
        onHello?.();
        continue;
      }
      const [, id, error, result] = message as [1, number, { error: string; message: string } | null, unknown];
      const waiting = pending.get(id);
      if (!waiting) continue;
      pending.delete(id);
      clearTimeout(waiting.timer);
      if (error) waiting.reject(new Error(`Marionette: ${error.error}: ${error.message}`));
      else waiting.resolve(result);
    }
  });
  socket.on("error", (error) => failAll(error));
  socket.on("close", () => failAll(new Error("Marionette connection closed")));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no Marionette hello on port ${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    onHello = () => {
      clearTimeout(timer);
      resolve();
    };
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });

  return {
    send: <T>(command: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`Marionette: no answer to ${command} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: (value) => resolve(value as T), reject, timer });
        const json = JSON.stringify([0, id, command, params]);
        socket.write(`${Buffer.byteLength(json)}:${json}`);
      }),
    close: () => socket.destroy(),
  };
}
