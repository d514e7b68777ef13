type Bag = Record<string, unknown>;

/** Who is asking for content, with the traits the audience conditions see. */
export interface Subject {
  workspaceId: string;
  userId: string;
  accountId: string | null;
  traits: { user: Bag; account: Bag };
  locale: string | null;
}
