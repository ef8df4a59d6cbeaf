/**
 * The browsers a config's streams run in: a page server, and Chromium processes with a
 * bounded number of contexts each and a bounded number of open pages per context. A stream
 * takes a page and gives it back closed; a new context or browser is started only when the
 * open ones are full. `close()` closes every browser, also after a failure or an interruption.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import type { Clock } from '../../../clock.js';
import { readBrowserResources, type BrowserResourceReading } from './browserProcesses.js';
import { launchChromium } from './chromiumLauncher.js';
import { PageSession } from './pageSession.js';
import { startPageServer, type PageServer } from './pageServer.js';

/** Bounds on how pages are spread over contexts and browsers. */
export interface BrowserPoolLimits {
  /** Open pages per browser context before another context is made. */
  pagesPerContext: number;
  /** Contexts per browser process before another browser is launched. */
  contextsPerBrowser: number;
}

interface ContextSlot {
  /** A promise, so that streams arriving together do not each make a context. */
  context: Promise<BrowserContext>;
  openPages: number;
}

interface BrowserSlot {
  browser: Browser;
  contexts: ContextSlot[];
}

/** A pool of Chromium pages on one page server. */
export class BrowserPool {
  private readonly browsers: BrowserSlot[] = [];
  private launching: Promise<BrowserSlot> | null = null;
  private closing: Promise<void> | null = null;
  private peakMemory = 0;

  private constructor(
    private readonly executablePath: string,
    private readonly limits: BrowserPoolLimits,
    private readonly server: PageServer,
    private readonly clock: Clock,
  ) {}

  /** Starts the page server and the first browser (so a browser that cannot start fails here, before any stream). */
  static async start(executablePath: string, limits: BrowserPoolLimits, clock: Clock): Promise<BrowserPool> {
    const server = await startPageServer();
    const pool = new BrowserPool(executablePath, limits, server, clock);
    try {
      await pool.launch();
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Browsers running now. */
  get browserCount(): number {
    return this.browsers.length;
  }

  /** Opens a page for one stream (on `sameOriginAs` when given, see PageSession.open); `release()` closes it and frees its place. */
  async openPage(sameOriginAs?: string): Promise<{ session: PageSession; release: () => Promise<void> }> {
    if (this.closing) throw new Error('the browser pool is closed');
    const slot = await this.contextWithRoom();
    let session: PageSession;
    try {
      session = await PageSession.open(await slot.context, this.server, this.clock, sameOriginAs);
    } catch (error) {
      slot.openPages--;
      throw error;
    }
    let released = false;
    return {
      session,
      release: async () => {
        if (released) return;
        released = true;
        await session.close();
        slot.openPages--;
      },
    };
  }

  /** The browsers' CPU and memory now (null without /proc); the peak memory seen is kept. */
  resources(): BrowserResourceReading | null {
    const reading = readBrowserResources();
    if (reading) this.peakMemory = Math.max(this.peakMemory, reading.memoryMB);
    return reading;
  }

  /** The most memory the browsers held at any reading, in MB. */
  get peakMemoryMB(): number {
    return this.peakMemory;
  }

  /** Closes every browser and the page server; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.launching?.catch(() => {});
      await Promise.allSettled(this.browsers.map((slot) => slot.browser.close()));
      this.browsers.length = 0;
      await this.server.close();
    })();
    return this.closing;
  }

  /** A context with room for one more page, its place already taken. */
  private async contextWithRoom(): Promise<ContextSlot> {
    for (;;) {
      for (const slot of this.browsers) {
        const context = slot.contexts.find((candidate) => candidate.openPages < this.limits.pagesPerContext);
        if (context) {
          context.openPages++; // taken before any await, so concurrent streams see it
          return context;
        }
        if (slot.contexts.length < this.limits.contextsPerBrowser) {
          const created: ContextSlot = { context: slot.browser.newContext(), openPages: 1 };
          created.context.catch(() => {}); // awaited by openPage
          slot.contexts.push(created);
          return created;
        }
      }
      // Every browser is full: one launch at a time, and streams waiting for it share it.
      await this.launch();
    }
  }

  private async launch(): Promise<BrowserSlot> {
    if (this.launching) return this.launching;
    this.launching = (async () => {
      const browser = await launchChromium(this.executablePath);
      const slot: BrowserSlot = { browser, contexts: [] };
      if (this.closing) {
        await browser.close();
        throw new Error('the browser pool is closed');
      }
      this.browsers.push(slot);
      return slot;
    })();
    try {
      return await this.launching;
    } finally {
      this.launching = null;
    }
  }
}
