"""The run folders that ``pidkit-distill train`` writes, read back without PyTorch: found, read
file by file, told apart when damaged or not written yet, and grouped into experiments.

=======================  ===========================================================================
module                   job
=======================  ===========================================================================
``files``                the files of one run folder (``config.json``, ``metrics.jsonl``,
                         ``audit.jsonl``, ``summary.json``), each read and checked line by line
``summary``              :class:`~pidkit_distill.RunSummary`: what a finished (or stopped) run
                         gives back
``search``               the run folders a path stands for, and what to pass instead of a path
                         that is none
``unwritten``            a run folder that a train has made but not written yet
``damaged``              a run folder that cannot be read whole: left out of a sweep's report,
                         with the warnings of the files read around
``records``              :class:`~pidkit_distill.report.RunRecords`: one run folder read
                         whole, and the run folders that a path or a shell glob gives
``groups``               the seeds of one experiment: run records grouped by their configuration
=======================  ===========================================================================

The package's face imports none of them: the trainer reads ``files`` and ``summary`` alone, the
report all of them.
"""
