/**
 * The HTTP doors (docs/guide.md, "Doors"): each configured door is its own listener in front
 * of the invoker, started together as one service.
 */
import type { Service } from "../service.js";
import type { AlbDoorConfig } from "./alb/config.js";
import { startAlbDoor } from "./alb/index.js";
import type { EdgeDoorConfig } from "./edge/config.js";
import { startEdgeDoor } from "./edge/index.js";
import type { DoorDeps } from "./shared/deps.js";
import type { Listener } from "./shared/listen.js";
import type { UrlDoorConfig } from "./url/config.js";
import { startUrlDoor } from "./url/index.js";

export type { DoorDeps } from "./shared/deps.js";

/** One entry of the config file's `doors` (src/config assembles the schemas). */
export type DoorConfig = AlbDoorConfig | EdgeDoorConfig | UrlDoorConfig;

export interface RunningDoor {
  type: DoorConfig["type"];
  url: string;
  /** What it serves, for the startup banner. */
  summary: string;
  close(): Promise<void>;
}

async function startDoor(config: DoorConfig, deps: DoorDeps, where: string): Promise<Listener> {
  switch (config.type) {
    case "url":
      return startUrlDoor(config, deps);
    case "alb":
      return startAlbDoor(config, deps);
    case "cloudfront":
      return startEdgeDoor(config, deps, where);
  }
}

function summaryOf(config: DoorConfig): string {
  switch (config.type) {
    case "url":
      return `function URL → ${config.target}${config.invokeMode === "RESPONSE_STREAM" ? " (RESPONSE_STREAM)" : ""}`;
    case "alb":
      return `ALB, ${config.rules.length} rule(s)${config.multiValueHeaders ? ", multi-value headers" : ""}`;
    case "cloudfront":
      return `CloudFront, ${config.behaviors.length} behavior(s)`;
  }
}

export interface RunningDoors {
  /** In config order. */
  list: RunningDoor[];
  close(): Promise<void>;
}

async function closeAll(running: RunningDoor[]): Promise<void> {
  await Promise.all(running.map((door) => door.close()));
}

/** Starts every configured door, or none: one that fails closes those started before it. */
export const doors: Service<{ configs: DoorConfig[]; deps: DoorDeps }, RunningDoors> = {
  async start({ configs, deps }) {
    const running: RunningDoor[] = [];
    try {
      for (const [i, config] of configs.entries()) {
        const listener = await startDoor(config, deps, `doors.${i}`);
        running.push({ type: config.type, url: listener.url, summary: summaryOf(config), close: listener.close });
      }
    } catch (error) {
      await closeAll(running);
      throw error;
    }
    return { list: running, close: () => closeAll(running) };
  },
};
