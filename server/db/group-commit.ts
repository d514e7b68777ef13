/**
 * Group commit: work submitted while a commit is in flight is committed together in the next one, and
 * every submitter is answered only after the commit that holds its work. Under load this turns many
 * small requests into a few large statements (the storage engine's multi-row INSERT is several times
 * faster per row than one statement per request); with no load, a submission commits at once.
 *
 * @example
 * const commits = new GroupCommit((items: Row[][]) => storeAll(items)) // returns one result per item
 * const result = await commits.submit(rowsOfThisRequest)
 */
export class GroupCommit<Item, Result> {
  #pending: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  #running = false;

  constructor(
    private readonly commit: (items: Item[]) => Promise<Result[]>,
    private readonly maxItemsPerCommit = 500,
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
        const group = this.#pending.splice(0, this.maxItemsPerCommit);
        try {
          const results = await this.commit(group.map((entry) => entry.item));
          group.forEach((entry, i) => {
            entry.resolve(results[i] as Result);
          });
        } catch (error) {
          if (group.length === 1) {
            group[0]?.reject(error);
          } else {
            // One bad item must not fail its neighbours: commit each on its own to find it.
            for (const entry of group) {
              try {
                const [result] = await this.commit([entry.item]);
                entry.resolve(result as Result);
              } catch (itemError) {
                entry.reject(itemError);
              }
            }
          }
        }
        // Let the event loop read the requests that arrived meanwhile, so they join the next commit.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#running = false;
    }
  }
}
