// node:os as a Lambda execution environment reports it: Amazon Linux 2023 on x86_64, a sandbox
// user, /tmp, and the memory the function was configured with. Nothing describes the host machine.

const MiB = 1024 * 1024;
const HOME = "/home/sbx_user1051";

/**
 * Lambda: vCPUs grow with memory, one full vCPU at 1,769 MB, six at 10,240 MB; environments
 * below 3,008 MB still show two cores to the process.
 */
function vcpus(memorySizeMB: number): number {
  return Math.max(2, Math.min(6, Math.ceil(memorySizeMB / 1769)));
}

const signals = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGCHLD: 17,
  SIGSTKFLT: 16,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** The node:os module for one environment; `config.memorySizeMB` is the function's memory. */
export function createOs(config: { memorySizeMB?: number }) {
  const memorySizeMB = config.memorySizeMB ?? 128;
  const cpuCount = vcpus(memorySizeMB);
  const cpus = () =>
    Array.from({ length: cpuCount }, () => ({
      model: "Intel(R) Xeon(R) Processor @ 2.50GHz",
      speed: 2500,
      times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 },
    }));
  const totalmem = () => memorySizeMB * MiB;
  return {
    EOL: "\n",
    devNull: "/dev/null",
    arch: () => "x64",
    machine: () => "x86_64",
    platform: () => "linux",
    type: () => "Linux",
    release: () => "5.10.240-258.930.amzn2.x86_64",
    version: () => "#1 SMP Tue Sep 30 08:40:52 UTC 2025",
    hostname: () => "169.254.100.1",
    homedir: () => HOME,
    tmpdir: () => "/tmp",
    endianness: () => "LE",
    cpus,
    availableParallelism: () => cpuCount,
    totalmem,
    // The heap's own use is the host's to measure; a function sees its whole allowance as free.
    freemem: totalmem,
    loadavg: () => [0, 0, 0],
    uptime: () => Math.floor(process.uptime()),
    networkInterfaces: () => ({
      lo: [
        {
          address: "127.0.0.1",
          netmask: "255.0.0.0",
          family: "IPv4",
          mac: "00:00:00:00:00:00",
          internal: true,
          cidr: "127.0.0.1/8",
        },
      ],
    }),
    userInfo: () => ({ uid: 993, gid: 990, username: "sbx_user1051", homedir: HOME, shell: null }),
    getPriority: () => 0,
    setPriority: () => {},
    constants: {
      signals,
      priority: {
        PRIORITY_LOW: 19,
        PRIORITY_BELOW_NORMAL: 10,
        PRIORITY_NORMAL: 0,
        PRIORITY_ABOVE_NORMAL: -7,
        PRIORITY_HIGH: -14,
        PRIORITY_HIGHEST: -20,
      },
    },
  };
}
