/** One supervised child: a role's name and how to start it. */
export interface ChildSpec {
  /** Shown as the `[name] ` prefix on every line the child prints. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the supervisor's own environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}
