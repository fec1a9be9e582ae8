/** The project a prompt belongs to: prompts are named within a project. */
export interface PromptScope {
  orgId: string;
  projectId: string;
}

/** One immutable, numbered version of a prompt; only its activation weight ever changes. */
export interface PromptVersion {
  version: number;
  /** User message template with `{{variable}}` placeholders. */
  template: string;
  system: string | null;
  model: string | null;
  temperature: number | null;
  maxTokens: number | null;
  /** The API key that created it (null when made without one). */
  createdBy: string | null;
  createdAt: Date;
  /** Share of traffic while active (0 to 1); null when the version is not active. */
  weight: number | null;
}

export interface Prompt {
  id: string;
  orgId: string;
  projectId: string;
  name: string;
  createdAt: Date;
  /** Every version, oldest first. */
  versions: PromptVersion[];
}

export type NewPromptVersion = Pick<
  PromptVersion,
  'template' | 'system' | 'model' | 'temperature' | 'maxTokens' | 'createdBy'
>;

/** Prompts and their versions, every query scoped to one project. */
export interface PromptStore {
  /** A new prompt with its first version, active with weight 1; undefined when the name is taken. */
  createPrompt(
    scope: PromptScope,
    name: string,
    first: NewPromptVersion,
  ): Promise<Prompt | undefined>;
  /** Adds the next numbered version (inactive); undefined when the project has no such prompt. */
  addPromptVersion(
    scope: PromptScope,
    name: string,
    version: NewPromptVersion,
  ): Promise<PromptVersion | undefined>;
  listPrompts(scope: PromptScope): Promise<Prompt[]>;
  getPrompt(scope: PromptScope, name: string): Promise<Prompt | undefined>;
  /**
   * Makes exactly the given versions active with their weights, in one
   * transaction (every other version becomes inactive). The caller has checked
   * the versions exist and the weights are valid. Undefined when no such prompt.
   */
  setPromptWeights(
    scope: PromptScope,
    name: string,
    weights: ReadonlyArray<{ version: number; weight: number }>,
  ): Promise<Prompt | undefined>;
}
