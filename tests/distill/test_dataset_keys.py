"""A data set's name is read by one rule wherever it is compared with the registered names
(registry_key: stripped and lower-cased): the lookups (load_dataset, is_user_dataset), CIFAR's
names where the sizes and data.root's errors are decided, and the key of a registered data set
that check_config describes from its loader."""

from __future__ import annotations

import pytest

from pidkit_distill.data import load_dataset
from pidkit_distill.data.cifar import is_root_error
from pidkit_distill.data.registry import describes_its_sizes, is_user_dataset
from pidkit_distill.registry import registry_key


@pytest.mark.parametrize("given", ["cifar100", " CIFAR100", "Cifar100\t"])
def test_cifar_named_any_way_is_cifar_wherever_its_name_is_compared(tmp_path, given):
    assert registry_key(given) == "cifar100"
    assert describes_its_sizes(given) is False
    assert is_root_error(given, FileNotFoundError("cifar-100-python not found")) is True
    assert is_user_dataset(given) is False
    with pytest.raises(FileNotFoundError, match=r"/cifar-100-python not found; put the "
                                                r"python-pickle cifar100 archive's folder there"):
        load_dataset(given, root=tmp_path)


@pytest.mark.parametrize(("given", "key"), [("digits", "digits"), (" Digits", "digits"),
                                           ("SYNTHETIC\n", "synthetic")])
def test_the_other_package_data_sets_are_described_with_their_sizes(given, key):
    assert registry_key(given) == key
    assert describes_its_sizes(given) is True
    assert is_root_error(given, FileNotFoundError("gone")) is False
    assert is_user_dataset(given) is False
