import type { Prompt, PromptScope, PromptStore, PromptVersion } from '@tollgate/core';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { MetaDatabase } from './meta-database';
import { createId } from './ids';
import { isUniqueViolation } from './meta-store-errors';
import { prompts, promptVersions } from './schema';

/** Two writers numbering a version at once collide on the primary key; the loser tries again. */
const VERSION_NUMBER_ATTEMPTS = 5;

const promptColumns = {
  id: prompts.id,
  orgId: prompts.orgId,
  projectId: prompts.projectId,
  name: prompts.name,
  createdAt: prompts.createdAt,
};

const versionColumns = {
  promptId: promptVersions.promptId,
  version: promptVersions.version,
  template: promptVersions.template,
  system: promptVersions.system,
  model: promptVersions.model,
  temperature: promptVersions.temperature,
  maxTokens: promptVersions.maxTokens,
  createdBy: promptVersions.createdBy,
  createdAt: promptVersions.createdAt,
  weight: promptVersions.weight,
};

type VersionRow = PromptVersion & { promptId: string };

function toVersion({ promptId: _promptId, ...version }: VersionRow): PromptVersion {
  return version;
}

function inScope(scope: PromptScope) {
  return and(eq(prompts.orgId, scope.orgId), eq(prompts.projectId, scope.projectId));
}

/** Prompts and versions, every query scoped to the caller's org and project. */
export function promptQueries(database: MetaDatabase): PromptStore {
  async function withVersions(
    rows: Array<Omit<Prompt, 'versions'>>,
    from: Pick<MetaDatabase, 'select'> = database,
  ): Promise<Prompt[]> {
    if (rows.length === 0) return [];
    const versions = await from
      .select(versionColumns)
      .from(promptVersions)
      .where(
        inArray(
          promptVersions.promptId,
          rows.map((row) => row.id),
        ),
      )
      .orderBy(asc(promptVersions.version));
    return rows.map((row) => ({
      ...row,
      versions: versions.filter((version) => version.promptId === row.id).map(toVersion),
    }));
  }

  async function findPrompt(
    scope: PromptScope,
    name: string,
    from: Pick<MetaDatabase, 'select'> = database,
  ): Promise<Omit<Prompt, 'versions'> | undefined> {
    const [row] = await from
      .select(promptColumns)
      .from(prompts)
      .where(and(inScope(scope), eq(prompts.name, name)));
    return row;
  }

  return {
    async createPrompt(scope, name, first) {
      return database.transaction(async (transaction) => {
        const [row] = await transaction
          .insert(prompts)
          .values({ id: createId('prm'), orgId: scope.orgId, projectId: scope.projectId, name })
          .onConflictDoNothing()
          .returning(promptColumns);
        if (!row) return undefined;
        await transaction
          .insert(promptVersions)
          .values({ promptId: row.id, version: 1, weight: 1, ...first });
        const [prompt] = await withVersions([row], transaction);
        return prompt;
      });
    },

    async addPromptVersion(scope, name, version) {
      const prompt = await findPrompt(scope, name);
      if (!prompt) return undefined;
      for (let attempt = 1; ; attempt += 1) {
        try {
          // Its own (sub)transaction: within the store's tenant transaction a failed
          // attempt rolls back to a savepoint, and the next attempt can still run.
          const [row] = await database.transaction((attempt) =>
            attempt
              .insert(promptVersions)
              .values({
                promptId: prompt.id,
                version: sql`(select coalesce(max(${promptVersions.version}), 0) + 1 from ${promptVersions} where ${promptVersions.promptId} = ${prompt.id})`,
                weight: null,
                ...version,
              })
              .returning(versionColumns),
          );
          return toVersion(row!);
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= VERSION_NUMBER_ATTEMPTS) throw error;
        }
      }
    },

    async listPrompts(scope) {
      const rows = await database
        .select(promptColumns)
        .from(prompts)
        .where(inScope(scope))
        .orderBy(asc(prompts.name));
      return withVersions(rows);
    },

    async getPrompt(scope, name) {
      const row = await findPrompt(scope, name);
      if (!row) return undefined;
      const [prompt] = await withVersions([row]);
      return prompt;
    },

    async setPromptWeights(scope, name, weights) {
      return database.transaction(async (transaction) => {
        const row = await findPrompt(scope, name, transaction);
        if (!row) return undefined;
        await transaction
          .update(promptVersions)
          .set({ weight: null })
          .where(eq(promptVersions.promptId, row.id));
        for (const { version, weight } of weights) {
          await transaction
            .update(promptVersions)
            .set({ weight })
            .where(and(eq(promptVersions.promptId, row.id), eq(promptVersions.version, version)));
        }
        const [prompt] = await withVersions([row], transaction);
        return prompt;
      });
    },
  };
}
