/**
 * The same response, its body cut after `maxBytes` (the rest is never read). `finished` runs once
 * the body is read, cut, cancelled or failed, or at once when there is none.
 */
export function limitBody(response: Response, maxBytes: number, finished: () => void, signal: AbortSignal): Response {
  const declared = response.headers.get('content-length');
  if (response.body === null || declared === '0') {
    finished();
    return response;
  }
  const reader = response.body.getReader();
  // The attempt's signal (timeout or caller) ends a pending read even where the fetch in use does
  // not tie its body to the signal (an injected fetch): cancelling settles the read at once.
  const cancelRead = () => void reader.cancel(signal.reason).catch(() => {});
  if (signal.aborted) cancelRead();
  else signal.addEventListener('abort', cancelRead, { once: true });
  let seen = 0;
  const limited = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (signal.aborted) throw signal.reason;
        if (done) {
          finished();
          return controller.close();
        }
        const room = maxBytes - seen;
        seen += value.byteLength;
        if (value.byteLength <= room) return controller.enqueue(value);
        if (room > 0) controller.enqueue(value.subarray(0, room));
        finished();
        controller.close();
        await reader.cancel().catch(() => {});
      } catch (error) {
        finished();
        controller.error(error);
      }
    },
    cancel(reason) {
      finished();
      return reader.cancel(reason);
    },
  });
  const headers = new Headers(response.headers);
  if (Number(declared) > maxBytes) headers.delete('content-length');
  return new Response(limited, { status: response.status, statusText: response.statusText, headers });
}
