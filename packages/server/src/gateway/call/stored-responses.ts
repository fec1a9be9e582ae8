import type { HotStore, OpenAIChatMessage } from '@tollgate/core';
import type { ResponsesOutputItem } from '../formats/openai-responses-response';

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

  async save(
    orgId: string,
    response: { id: string; output: ResponsesOutputItem[] },
    conversation: OpenAIChatMessage[],
  ): Promise<void> {
    await Promise.all([
      ...response.output.map((item) =>
        this.hot.set(this.itemKey(orgId, item.id), JSON.stringify(item), STORED_RESPONSE_TTL_MS),
      ),
      this.hot.set(
        this.conversationKey(orgId, response.id),
        JSON.stringify(conversation),
        STORED_RESPONSE_TTL_MS,
      ),
    ]);
  }

  async item(orgId: string, itemId: string): Promise<ResponsesOutputItem | undefined> {
    const text = await this.hot.get(this.itemKey(orgId, itemId));
    return text ? (JSON.parse(text) as ResponsesOutputItem) : undefined;
  }

  async conversation(orgId: string, responseId: string): Promise<OpenAIChatMessage[] | undefined> {
    const text = await this.hot.get(this.conversationKey(orgId, responseId));
    return text ? (JSON.parse(text) as OpenAIChatMessage[]) : undefined;
  }

  private itemKey(orgId: string, itemId: string): string {
    return `responses:item:${orgId}:${itemId}`;
  }

  private conversationKey(orgId: string, responseId: string): string {
    return `responses:conversation:${orgId}:${responseId}`;
  }
}
