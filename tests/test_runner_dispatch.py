"""Which worker gets which job: chains go to workers with a kernel in the order submitted; annexes wait for an
idle worker, a kernel-less one first, and never hold up a chain."""
from types import SimpleNamespace

from helpers.run.workers import START_KERNEL, LocalWorkers


def pool(*with_kernel: bool) -> tuple[LocalWorkers, list[list[str]]]:
    """The coordinator's side of a pool, without processes: what each worker was given, by job name."""
    given = [[] for _ in with_kernel]
    p = object.__new__(LocalWorkers)
    p._procs = [SimpleNamespace(is_alive=lambda: True) for _ in with_kernel]
    p._with_kernel = list(with_kernel)
    p._tasks = [SimpleNamespace(put=lambda item, i=i: given[i].append(item[1])) for i in range(len(with_kernel))]
    p._jobs, p._results, p._holder, p._pending = {}, {}, {}, []
    return p, given


def done(p: LocalWorkers, job_id: int) -> None:
    p._holder.pop(job_id)
    p._dispatch()


def test_the_spare_worker_renders_annexes_and_never_takes_a_chain():
    p, given = pool(True, False)
    period = p.submit("period")
    annex = p.submit("bilaga", when_idle=True)
    assert given == [["period"], ["bilaga"]]
    done(p, annex)
    p.submit("07 hela")  # the kernel worker is busy: the chain waits for it, not for the idle spare
    assert given == [["period"], ["bilaga"]]
    done(p, period)
    assert given == [["period", "07 hela"], ["bilaga"]]


def test_chains_go_first_and_annexes_take_what_is_left():
    p, given = pool(True, True)
    first = p.submit("period")
    p.submit("bilaga enhet", when_idle=True)  # the second worker is idle: it renders the annex meanwhile
    done(p, first)
    p.submit("07 hela")
    p.submit("07 enhet")
    p.submit("bilaga hela", when_idle=True)
    assert given == [["period", "07 hela"], ["bilaga enhet"]]
    done(p, 1)  # the annex is done: the waiting chain goes before the annex submitted after it
    assert given == [["period", "07 hela"], ["bilaga enhet", "07 enhet"]]
    done(p, 2)
    assert given[0][-1] == "bilaga hela"


def test_without_a_kernel_worker_left_a_chain_starts_a_kernel_in_the_spare():
    p, given = pool(True, False)
    p._procs[0] = SimpleNamespace(is_alive=lambda: False)
    p.submit("07 hela")
    assert given == [[], ["07 hela"]]


def test_a_kernel_left_for_later_is_started_once_when_asked_and_its_worker_takes_chains_meanwhile():
    p, given = pool(True, True)
    p._deferred = [1]
    sent = []
    p._tasks[1] = SimpleNamespace(put=lambda item: sent.append(item) or given[1].append(
        item if isinstance(item, str) else item[1]))
    p.submit("period")
    p.submit("inläsning i förväg", when_idle=True)  # the worker without a started kernel reads ahead
    assert given == [["period"], ["inläsning i förväg"]]
    p.start_kernels()
    p.start_kernels()  # once only
    assert sent[-1] == START_KERNEL and sent.count(START_KERNEL) == 1
    done(p, 1)
    p.submit("07 enhet")  # a chain may go to it: it is a kernel worker, started or not
    assert given[1][-1] == "07 enhet"
