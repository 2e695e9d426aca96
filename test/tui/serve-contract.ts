// Serves the canned farm over the control API contract, for trying the TUI by hand:
//   npx vite-node test/tui/serve-contract.ts [port]   then   farmhand tui --agent http://127.0.0.1:<port>
import { ContractServer } from './contract-server.js';

const port = Number(process.argv[2] ?? 18080);
const server = await new ContractServer({ miners: 2_500 }).start(port);
console.log(`control API contract server on ${server.url}`);
process.on('SIGINT', () => void server.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
