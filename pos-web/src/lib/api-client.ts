import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { PosService } from "../gen/cps/enterprise/pos/v1/pos_pb";
import { AccountingSwarmProtocol } from "../gen/cps/enterprise/v4/cps_enterprise_v4_pb";
import { agentUrl } from "./env";

// One gRPC-Web transport to the branch's local agent (Armeria answers gRPC-Web, binary).
const transport = createGrpcWebTransport({ baseUrl: agentUrl(), useBinaryFormat: true });

export const pos: Client<typeof PosService> = createClient(PosService, transport);
export const swarm: Client<typeof AccountingSwarmProtocol> = createClient(AccountingSwarmProtocol, transport);
