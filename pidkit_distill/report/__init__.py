"""The report of run folders (``pidkit-distill report RUN_DIR [RUN_DIR ...]``): the summary
table and ``report.md``, beside the figures.

:func:`write_report` reads each run folder (:mod:`pidkit_distill.run_folders.records`), draws the
figures (``accuracy.png``, ``losses.png`` when a run records its training loss, and
``pid_atoms.png`` when a run has an audit, with ``pid_atoms_all_layers.png`` when more than one
layer was audited) and writes them into one
output folder with ``report.md``: the table of each run (:func:`summary_table`, also printed by
the CLI), the table of the experiments run with several seeds (:func:`group_table`: mean ± sd
across them; none when each experiment has one seed) and the figures, and with the tables as
data (``runs.csv``, ``groups.csv``).

=======================  ===========================================================================
module                   job
=======================  ===========================================================================
``write``                :func:`write_report`: ``report.md``, its tables as data and the figures
``folder``               the folder a report goes into: its default, refused where it is another
                         run's, made, and its files written atomically while holding its lock
``table``                :func:`summary_table`: the table of each run and the notes under it
``states``               each run's state (training, stopped, failed) and the paragraphs naming them
``failures``             a failed run's error as its folder bears it out, and how to go on
``caveats``              rows that cannot be read as they stand: a schedule that trained the
                         student in some epochs only, atoms audited at another epoch than the
                         accuracy beside them
``cells``                the tables' cells: numbers, accuracies with their standard error, atoms
                         with their bootstrap interval, mean ± sd across seeds
``loss_jump_notes``      the notes of a run whose loss term jumped, and of the seeds that did
``groups``               :func:`group_table`: the table of the experiments run with several seeds
``group_audit``          the audit a row of that table shows: each seed's atoms of the row's
                         layer and epoch, and their flags (marks below 0, counts of seeds)
``pairs``                each experiment's accuracy minus BAS's, paired by seed, under that table
``csv_tables``           ``runs.csv`` and ``groups.csv``: the tables' numbers, unrounded
``figures``              the figures as PNG bytes: ``accuracy.png``, ``losses.png``,
                         ``pid_atoms.png`` and ``pid_atoms_all_layers.png``
``figure_accuracy``      ``accuracy.png``: held-out accuracy of every run over epochs
``figure_losses``        ``losses.png``: the training loss and each of its terms over epochs
``figure_atoms``         ``pid_atoms.png`` and ``pid_atoms_all_layers.png``: the PID over epochs
``figure_lines``         each experiment's line in the figures: its seeds, mean, band and end bar
``figure_looks``         each experiment's colour (its method's) and marker
``figure_legend``        a figure's legend, beside or below its plots, never over a line
=======================  ===========================================================================

Runs are read by :func:`load_run`, :func:`load_runs` and :func:`read_runs` (a
:class:`DamagedRun` for each run of a sweep's folder left out), as :class:`RunRecords`.
"""

from pidkit_distill.report.folder import default_out_dir
from pidkit_distill.report.groups import group_table
from pidkit_distill.report.table import summary_table
from pidkit_distill.report.write import write_report
from pidkit_distill.run_folders.damaged import DamagedRun
from pidkit_distill.run_folders.records import RunRecords, load_run, load_runs, read_runs

__all__ = ["DamagedRun", "RunRecords", "default_out_dir", "group_table", "load_run", "load_runs",
           "read_runs", "summary_table", "write_report"]
