/** Who is asking. Anonymous callers have no user id and read public experiments only. */
export interface Viewer {
  readonly userId: string | null;
  readonly name: string | null;
}

export const ANONYMOUS: Viewer = Object.freeze({ userId: null, name: null });
