import type { HotStore, OpenAIChatMessage } from '@tollgate/core';
import type { ResponsesOutputItem } from '../formats/openai-responses-response';
import { openedCopy, sealedCopy, type ContentKey } from '../../secrets/content-keys';

/** How long `/v1/responses` answers stay referable (`previous_response_id`, `item_reference`). */
export const STORED_RESPONSE_TTL_MS = 60 * 60 * 1000;

/**
 * The `/v1/responses` answers the gateway keeps, per organization, in the
 * hot-state store for an hour: each output item by its id (for the
 * `item_reference` items clients such as the AI SDK send), and each
 * response's conversation as canonical messages (for `previous_response_id`).
 * Kept only when the request did not say `store: false` and the project
 * stores content.
 */
export class StoredResponses {
  constructor(private readonly hot: HotStore) {}

  /** `contentKey`: the project's, when it encrypts content (what is kept is sealed). */
  async save(
    orgId: string,
    response: { id: string; output: ResponsesOutputItem[] },
    conversation: OpenAIChatMessage[],
    contentKey?: ContentKey,
  ): Promise<void> {
    const kept = (value: unknown) => sealedCopy(JSON.stringify(value), contentKey);
    await Promise.all([
      ...response.output.map((item) =>
        this.hot.set(this.itemKey(orgId, item.id), kept(item), STORED_RESPONSE_TTL_MS),
      ),
      this.hot.set(
        this.conversationKey(orgId, response.id),
        kept(conversation),
        STORED_RESPONSE_TTL_MS,
      ),
    ]);
  }

  async item(
    orgId: string,
    itemId: string,
    contentKey?: ContentKey,
  ): Promise<ResponsesOutputItem | undefined> {
    return this.read<ResponsesOutputItem>(this.itemKey(orgId, itemId), contentKey);
  }

  async conversation(
    orgId: string,
    responseId: string,
    contentKey?: ContentKey,
  ): Promise<OpenAIChatMessage[] | undefined> {
    return this.read<OpenAIChatMessage[]>(this.conversationKey(orgId, responseId), contentKey);
  }

  private async read<Value>(key: string, contentKey?: ContentKey): Promise<Value | undefined> {
    const stored = await this.hot.get(key);
    const text = stored ? openedCopy(stored, contentKey) : undefined;
    return text ? (JSON.parse(text) as Value) : undefined;
  }

  private itemKey(orgId: string, itemId: string): string {
    return `responses:item:${orgId}:${itemId}`;
  }

  private conversationKey(orgId: string, responseId: string): string {
    return `responses:conversation:${orgId}:${responseId}`;
  }
}
