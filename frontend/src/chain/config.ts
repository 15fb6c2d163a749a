// The deployment as the API describes it (GET /chain): chain id, RPC URL, every contract's address
// and ABI. Nothing about the chain is hard-coded in the app. One public client serves all reads.
import { createPublicClient, defineChain, http, type Abi, type Chain, type PublicClient } from "viem";
import { api } from "../api/client";
import type { ChainInfo } from "../api/types";
import { errorAbi } from "./errors";

export const LOCAL_CHAIN_IDS = [1337, 31337];

export type Deployment = {
  info: ChainInfo; chain: Chain; client: PublicClient; errors: Abi;
  address: (name: string) => `0x${string}`; abi: (name: string) => Abi; has: (name: string) => boolean;
  local: boolean;
};

let loading: Promise<Deployment> | null = null;

export function loadDeployment(): Promise<Deployment> {
  loading ??= api<ChainInfo>("/chain").then(makeDeployment).catch((e) => { loading = null; throw e; });
  return loading;
}

export function makeDeployment(info: ChainInfo): Deployment {
  const chain = defineChain({
    id: info.chainId, name: LOCAL_CHAIN_IDS.includes(info.chainId) ? "Local chain" : `Chain ${info.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [info.rpcUrl] } },
  });
  const client = createPublicClient({ chain, transport: http(info.rpcUrl, { batch: true }) }) as PublicClient;
  const entry = (name: string) => {
    const c = info.contracts[name];
    if (!c) throw new Error(`the deployment has no ${name}`);
    return c;
  };
  return {
    info, chain, client, local: LOCAL_CHAIN_IDS.includes(info.chainId),
    errors: errorAbi(Object.values(info.contracts).map((c) => c.abi)),
    address: (name) => entry(name).address, abi: (name) => entry(name).abi, has: (name) => name in info.contracts,
  };
}
