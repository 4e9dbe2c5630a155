/** What both upstream engines are configured with: the model they ask for and file_search's limits. */
export type UpstreamOptions = {
  model: string;
  maxNumResults: number;
  scoreThreshold?: number | undefined;
  logger?: { warn: (details: object, message: string) => void };
};
