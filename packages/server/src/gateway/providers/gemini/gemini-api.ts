/** Gemini API (generativelanguage.googleapis.com, v1beta) wire shapes, as far as Tollgate uses them. */

export type GeminiPart =
  | { text: string; thought?: boolean }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType?: string; fileUri: string } }
  | { functionCall: { name: string; args?: Record<string, unknown>; id?: string } }
  | { functionResponse: { name: string; response: Record<string, unknown>; id?: string } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** JSON Schema as is (Gemini's `parameters` takes only an OpenAPI subset). */
  parametersJsonSchema?: Record<string, unknown>;
}

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: {
    functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] };
  };
  generationConfig?: {
    temperature?: number;
    topP?: number;
    topK?: number;
    maxOutputTokens?: number;
    stopSequences?: string[];
    candidateCount?: number;
    seed?: number;
    presencePenalty?: number;
    frequencyPenalty?: number;
    responseMimeType?: string;
    responseJsonSchema?: Record<string, unknown>;
  };
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  index?: number;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

export interface GeminiBatchEmbedRequest {
  requests: {
    model: string;
    content: { parts: { text: string }[] };
    outputDimensionality?: number;
  }[];
}

export interface GeminiBatchEmbedResponse {
  embeddings: { values: number[] }[];
}

/** Imagen's `models/{model}:predict` body. */
export interface ImagenPredictRequest {
  instances: { prompt: string }[];
  parameters: { sampleCount: number; aspectRatio?: string };
}

export interface ImagenPredictResponse {
  predictions: { bytesBase64Encoded?: string; mimeType?: string }[];
}

/** `generateContent` asking a Gemini image model (gemini-2.5-flash-image …) for images. */
export interface GeminiImageGenerateRequest {
  contents: GeminiContent[];
  generationConfig: {
    responseModalities: ('IMAGE' | 'TEXT')[];
    candidateCount?: number;
    imageConfig?: { aspectRatio: string };
  };
}
