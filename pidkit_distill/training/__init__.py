"""Training: one readable loop, no framework.
=======================  ===========================================================================
module                   job
=======================  ===========================================================================
``run``                  :func:`train`, :func:`train_teacher`: one run from a configuration
``checks``               :func:`check_config`: the whole configuration, checked before any work
``model_checks``         the models built, run and paired by the method, without training
``audit_checks``         the audit's settings against the models and the data
``device_checks``        ``run.device`` against this machine
``schedule_fit``         a method's schedule fitted to ``run.epochs``
``loop``                 :func:`fit`: the epochs, resumed, evaluated, audited, saved and logged
``trained_module``       what :func:`fit` reads of its module beside ``nn.Module``'s (type hints)
``best_epoch``           the best epoch (on the validation split where there is one), ``best.pt``,
                         early stopping, the run's summary
``epoch_lines``          the epoch's printed line, the pace of a long run, the audit's line with
                         its time and notes, and the note of audits that take most of the run
``epoch_steps``          :func:`train_one_epoch`, :func:`evaluate`; memory running out, as one line
``outcomes``             :class:`TrainingError`, :class:`TrainingInterrupted`: what stops a run
``peer_stopped``         :class:`PeerStopped`: this process stopped because another did first
``teacher``              the teacher: trained and cached, untrained, or a file (read safely)
``teacher_files``        teacher files read safely and checked against ``model.teacher``
``cached_teacher``       a teacher file's checks before use; the cached one's settings, data, code
``teacher_sources``      the file ``teacher.source`` names; the cached teacher's run and its folder
``teacher_elsewhere``    a finished teacher of other out_dirs or thread counts, named for reuse
``teacher_records``      which teacher a run was distilled from, in its ``summary.json``
``teacher_outputs``      the teacher's outputs on a training batch: NaN, infinite or huge, refused
``data_fingerprints``    the fingerprint of a training set that a cached teacher is reused on
``loaders``              the data, one global sample order shared out among processes, no padding
``optim``                one optimizer (SGD or AdamW) and one scheduler per optimizer group
``runtime``              device, DDP from torchrun's environment, seeds, autocast
``joining``              the processes' meeting, which says what it waits for and can time out
``stop_records``         the first process to stop, kept on its error; a stop's cause, a peer gone
``lost_peers``           the run's failure where another process ended without a word
``late_files``           a file the check read, refused when the run reads it again
``file_sharing``         rank 0's run files sent to processes whose disks lack them
``sync_bn``              BatchNorm synchronised over processes (also on CPU)
``torch_files``          atomic writes, ``weights_only`` loads
``checkpoint``           checkpoints and random states: written, read, checked, restored
``resume``               the checkpoint a run continues, its configuration and teacher checked
``checkpoint_fit``       a checkpoint's weights against the code and data of now (fingerprints)
``amp_resume``           ``run.amp`` starting or ceasing to act in a run resumed on another device
``rundir``               the run folder and its files
``resume_neighbours``    the run folders a resume may have meant, beside the one it found empty
``folder_checks``        the run folder beside the check: a run done, given again; nothing to resume
=======================  ===========================================================================
"""

from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.training.checks import CheckedConfig, check_config
from pidkit_distill.training.epoch_steps import evaluate, train_one_epoch
from pidkit_distill.training.loop import fit
from pidkit_distill.training.outcomes import TrainingError, TrainingInterrupted
from pidkit_distill.training.peer_stopped import PeerStopped
from pidkit_distill.training.run import train, train_teacher
from pidkit_distill.training.runtime import Runtime
from pidkit_distill.training.teacher import SupervisedModel, load_teacher

__all__ = [
    "CheckedConfig",
    "PeerStopped",
    "RunSummary",
    "Runtime",
    "SupervisedModel",
    "TrainingError",
    "TrainingInterrupted",
    "check_config",
    "evaluate",
    "fit",
    "load_teacher",
    "train",
    "train_one_epoch",
    "train_teacher",
]
