import { Text } from 'ink';
import type { ControlClient } from '../api/control-client.js';

export interface AppProps {
  client: ControlClient;
  refreshMs: number;
  ascii: boolean;
}

export function App({ client }: AppProps) {
  return <Text>farmhand tui — {client.baseUrl}</Text>;
}
