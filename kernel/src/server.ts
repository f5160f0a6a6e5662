/**
 * tslab's ZeroMQ server (sockets, signing, heartbeat) with a dispatch that knows more message
 * types: comms, interrupt_request, history_request, a correct comm_info_reply, and a reply
 * with status "error" (never a crash) for malformed or unknown requests.
 */
import type { ConvlabHandler } from "./handler.js";
import { tslab, wireMessageClass, type DisplayData, type ExecuteRequest, type WireMessage } from "./tslab.js";

const { jupyter } = tslab();

type Socket = Parameters<InstanceType<typeof jupyter.ZmqServer>["handleShellMessage"]>[0];

export class ConvlabServer extends jupyter.ZmqServer {
  private readonly wire = wireMessageClass(jupyter);

  constructor(
    readonly kernel: ConvlabHandler,
    configPath: string,
    private readonly log: (msg: string) => void,
    /** Called after a shutdown_request was answered. */
    private readonly onShutdown: () => void,
  ) {
    super(kernel, configPath);
  }

  /** Publishes on IOPub with `parent` as the parent header. */
  publisher(parent: WireMessage): (msgType: string, content: Record<string, unknown>) => void {
    return (msgType, content) => {
      const msg = parent.createReply();
      msg.header.msg_type = msgType;
      msg.content = content;
      try {
        msg.signAndSend(this.connInfo.key, this.iopub);
      } catch (e) {
        this.log(`could not publish ${msgType}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
  }

  private reply(sock: Socket, parent: WireMessage, msgType: string, content: () => object): void {
    const msg = parent.createReply();
    msg.header.msg_type = msgType;
    try {
      msg.content = content();
    } catch (e) {
      this.log(`${parent.header.msg_type} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      msg.content = { status: "error", ename: e instanceof Error ? e.name : "Error", evalue: e instanceof Error ? e.message : String(e), traceback: [] };
    }
    msg.signAndSend(this.connInfo.key, sock);
  }

  override async handleShellMessage(sock: Socket, ...frames: Buffer[]): Promise<void> {
    let msg: WireMessage;
    try {
      msg = this.wire.fromRaw(this.connInfo.key, frames);
    } catch (e) {
      this.log(`dropped a malformed message (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    const type = String(msg.header?.msg_type);
    const content = (typeof msg.content === "object" && msg.content !== null ? msg.content : {}) as Record<string, unknown>;
    msg.content = content;
    let shutdown = false;
    this.publishStatus("busy", msg);
    try {
      switch (type) {
        case "kernel_info_request":
          this.reply(sock, msg, "kernel_info_reply", () => this.kernel.handleKernel());
          break;
        case "execute_request":
          await this.execute(sock, msg, content);
          break;
        case "is_complete_request":
          await this.kernel.whenReady();
          this.reply(sock, msg, "is_complete_reply", () => {
            if (typeof content.code !== "string") throw new TypeError("code must be a string");
            return this.kernel.handleIsComplete(content as never);
          });
          break;
        case "inspect_request":
          await this.kernel.whenReady();
          this.reply(sock, msg, "inspect_reply", () => this.kernel.handleInspect(checkCode(content) as never));
          break;
        case "complete_request":
          await this.kernel.whenReady();
          this.reply(sock, msg, "complete_reply", () => this.kernel.handleComplete(checkCode(content) as never));
          break;
        case "comm_info_request":
          this.reply(sock, msg, "comm_info_reply", () => this.kernel.comms.info(content));
          break;
        case "comm_open":
        case "comm_msg":
        case "comm_close":
          await this.kernel.comms.handle(type, content, this.publisher(msg));
          break;
        case "history_request":
          this.reply(sock, msg, "history_reply", () => ({ status: "ok", history: [] }));
          break;
        case "interrupt_request":
          this.kernel.interrupt();
          this.reply(sock, msg, "interrupt_reply", () => ({ status: "ok" }));
          break;
        case "shutdown_request":
          this.reply(sock, msg, "shutdown_reply", () => this.kernel.handleShutdown(content));
          shutdown = true;
          break;
        default:
          if (type.endsWith("_request")) {
            this.reply(sock, msg, type.replace(/_request$/, "_reply"), () => ({
              status: "error",
              ename: "UnknownMessageType",
              evalue: `the convlab kernel does not handle ${type}`,
              traceback: [],
            }));
          } else this.log(`ignored a message of unknown type ${type}`);
      }
    } catch (e) {
      this.log(`${type} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      this.publishStatus("idle", msg);
    }
    if (shutdown) this.onShutdown();
  }

  private async execute(sock: Socket, msg: WireMessage, content: Record<string, unknown>): Promise<void> {
    const publish = this.publisher(msg);
    const req = { ...content, code: typeof content.code === "string" ? content.code : "" } as ExecuteRequest;
    let reply: Record<string, unknown>;
    try {
      reply = await this.kernel.execute(req, {
        publish,
        writeStream: (name, text) => publish("stream", { name, text }),
        writeDisplayData: (data: DisplayData, update: boolean) => publish(update ? "update_display_data" : "display_data", data as unknown as Record<string, unknown>),
      });
    } catch (e) {
      this.log(`execute failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      reply = { status: "error", ename: "KernelError", evalue: e instanceof Error ? e.message : String(e), traceback: [] };
    }
    this.reply(sock, msg, "execute_reply", () => reply);
  }
}

/** Completion/inspection requests need a string `code` and a position inside it. */
function checkCode(content: Record<string, unknown>): Record<string, unknown> {
  const { code, cursor_pos } = content;
  if (typeof code !== "string") throw new TypeError("code must be a string");
  if (typeof cursor_pos !== "number" || !Number.isInteger(cursor_pos) || cursor_pos < 0 || cursor_pos > code.length)
    throw new RangeError(`cursor_pos must be an integer in [0, ${code.length}], got ${JSON.stringify(cursor_pos)}`);
  return content;
}
