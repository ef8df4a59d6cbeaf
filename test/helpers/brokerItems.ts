/** Field-shaped content items for broker tests: `{"sequence":i,"content":"token i "}`. */
export function contentItems(count: number): string[] {
  return Array.from({ length: count }, (_, index) => JSON.stringify({ sequence: index, content: `token ${index} ` }));
}

/** Polls until `condition` holds (a hang guard for events on other sockets, not a timing assertion). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 5000; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}
