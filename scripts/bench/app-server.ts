/**
 * A child of `npm run bench:http`: the built app on a free loopback port, in its own process so
 * the load generator does not share its event loop. Sends {port} to the parent when listening.
 */
import "../production-env";
import type { AddressInfo } from "node:net";
import { serve } from "../serve";

const server = await serve(0, "127.0.0.1");
process.send?.({ port: (server.address() as AddressInfo).port });
process.on("disconnect", () => process.exit(0));
