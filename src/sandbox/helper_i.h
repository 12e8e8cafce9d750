/*
 * helper_i.h - the protocol between the daemon's side (spawn.c) and the
 * `toolexec-sandbox` helper (helper_*.c).
 *
 * The helper is started with exactly these descriptors:
 *
 *   0  the script's standard input (the daemon gives /dev/null)
 *   1  where the script's stdout goes (a pipe the daemon reads)
 *   2  where the script's stderr goes
 *   3  the run description: one JSON object, read to end of file
 *      (at most HELPER_SPEC_MAX bytes)
 *   4  the report: the helper writes one JSON object here just before
 *      it exits, and nothing else; the daemon reads it to end of file.
 *      The helper also watches this descriptor: when its reader goes
 *      away (the daemon died), it kills the run.
 *   5+ descriptors that the description names by number (the seccomp
 *      program, the /work tmpfs, the script, the /etc and /dev tmpfs)
 *
 * It writes nothing to 1 and 2 itself: those are the script's streams.
 *
 * Signals to the helper: SIGTERM (or SIGINT, SIGHUP) stops the run
 * gently: SIGTERM to the script's process group, SIGKILL to the whole
 * tree after kill_grace_ms; SIGUSR1 kills the tree at once.  Either way
 * the report follows, with "cancelled": true.  SIGKILL to the helper
 * also ends the tree (PID 1 has it as its parent-death signal), but
 * then there is no report.
 *
 * The description (unknown keys are an error; * marks the optional):
 *
 *   {"version": 1,
 *    "mode": "dev" | "standard" | "hardened",
 *    "uid": N, "gid": N,        outside ids (root inside maps to them)
 *    "hostname": "...",        *
 *    "timeout_ms": N, "kill_grace_ms": N,
 *    "limits": {"as": N, "nproc": N, "cpu": N, "fsize": N, "nofile": N,
 *               "stdout": N, "stderr": N, "tmp_size": N,
 *               "memory": N, "pids": N},   memory/pids: cgroup (hardened)
 *    "seccomp_fd": N,          * an exported BPF program (standard,
 *                                hardened: required)
 *    "etc_fd": N,              * a detached read-only tmpfs bound at
 *                                /etc (standard, hardened: required;
 *                                see tx_sandbox_etc_fd)
 *    "dev_fd": N,              * the same for /dev (tx_sandbox_dev_fd)
 *    "work_fd": N | "work_dir": "/host/dir",
 *    "script_fd": N, "script_name": "job.py",
 *    "argv": ["python3", "/run/code/job.py", ...],
 *                              argv[0]: absolute, or looked up along
 *                              PATH inside the sandbox; the path of the
 *                              script inside is /run/code/NAME (dev: a
 *                              private copy, which argv names as "@SCRIPT@")
 *    "env": ["PATH=...", ...],
 *    "binds": [{"src": "/host", "dst": "/tools", "rw": true}, ...], *
 *    "landlock": true|false,   * hardened: apply it where the kernel has it
 *    "cgroup": true|false}     * hardened: memory and pids through cgroups
 *
 * The report, on success:
 *   {"exit_code": N, "signal": N, "duration_ms": N, "timed_out": B,
 *    "cancelled": B, "limits_hit": ["timeout", ...], "cpu_user_ms": N,
 *    "cpu_sys_ms": N, "max_rss_kb": N, "stdout_bytes": N,
 *    "stderr_bytes": N, "landlock_abi": N, "cgroup": "v1"|"v2"|""}
 * and when the script never ran (or the run broke), "error": "text"
 * with exit_code -1.
 */
#ifndef TX_SANDBOX_HELPER_I_H
#define TX_SANDBOX_HELPER_I_H

#define HELPER_FD_STDIN      0
#define HELPER_FD_STDOUT     1
#define HELPER_FD_STDERR     2
#define HELPER_FD_SPEC       3
#define HELPER_FD_REPORT     4
#define HELPER_FD_SECCOMP    5
#define HELPER_FD_WORK       6
#define HELPER_FD_SCRIPT     7
#define HELPER_FD_ETC        8
#define HELPER_FD_DEV        9
#define HELPER_FD_FIRST_FREE 10

#define HELPER_SPEC_MAX   (1 << 20)
#define HELPER_REPORT_MAX 8192
/* The script's path inside a sandbox, and the placeholder for dev. */
#define HELPER_SCRIPT_DIR  "/run/code"
#define HELPER_SCRIPT_MARK "@SCRIPT@"

#endif
