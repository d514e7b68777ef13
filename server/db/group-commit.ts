/**
 * Group commit: work submitted while a commit is in flight is committed together in the next one, and
 * every submitter is answered only after the commit that holds its work. Under load this turns many
 * small requests into a few large statements (the storage engine's multi-row INSERT is several times
 * faster per row than one statement per request); with no load, a submission commits at once.
 *
 * A group that fails is split in halves and each half committed again, down to the item that fails
 * on its own: one bad item among n costs about 2 log2(n) extra commits, not n, and its neighbours are
 * stored. An error that says nothing about the items (`splits` answers false: the database is busy)
 * fails the whole group at once, with no retry that would only fail again.
 *
 * @example
 * const commits = new GroupCommit((items: Row[][]) => storeAll(items)) // returns one result per item
 * const result = await commits.submit(rowsOfThisRequest)
 */
export class GroupCommit<Item, Result> {
  #pending: Entry<Item, Result>[] = [];
  #running = false;

  constructor(
    private readonly commit: (items: Item[]) => Promise<Result[]>,
    private readonly options: {
      maxItemsPerCommit?: number;
      /** Whether an error may come from one of the items, so that splitting the group can isolate it. */
      splits?: (error: unknown) => boolean;
    } = {},
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        await this.#commitGroup(this.#pending.splice(0, this.options.maxItemsPerCommit ?? 500));
        // Let the event loop read the requests that arrived meanwhile, so they join the next commit.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#running = false;
    }
  }

  async #commitGroup(group: Entry<Item, Result>[]): Promise<void> {
    try {
      const results = await this.commit(group.map((entry) => entry.item));
      group.forEach((entry, i) => {
        entry.resolve(results[i] as Result);
      });
    } catch (error) {
      if (group.length === 1 || !(this.options.splits?.(error) ?? true)) {
        for (const entry of group) entry.reject(error);
        return;
      }
      const half = Math.ceil(group.length / 2);
      await this.#commitGroup(group.slice(0, half));
      await this.#commitGroup(group.slice(half));
    }
  }
}

interface Entry<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}
