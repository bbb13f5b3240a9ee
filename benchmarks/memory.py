"""This process's own memory, from /proc/self/status (Linux), in MB.

VmHWM is the process's peak resident memory; writing 5 to /proc/self/clear_refs brings it
back down to what is resident now, so the peak of one step (a sync import) can be told
apart from what came before it in the same process.
"""

from __future__ import annotations

import resource


def status_mb(field: str) -> float | None:
    """VmRSS, VmHWM...: the field of /proc/self/status in MB, or None where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """The peak resident memory so far (since the last reset_peak); ru_maxrss where /proc is missing.

    Not ru_maxrss where /proc tells better: Linux carries ru_maxrss over exec from the
    process that started this one, so under the benchmark suite it is at least the suite's
    own peak so far (a sync import of the 100,000-customer shop made the GUI's
    million-customer figure 572 MB where the window itself peaked at 218).
    """
    peak = status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> float:
    """Starts a new peak from what is resident now, and returns that (MB)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        pass
    resident = status_mb("VmRSS")
    return resident if resident is not None else peak_rss_mb()
