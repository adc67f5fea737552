"""cornu.tree: the nested-structure utilities, against Keras 3's documented results."""
import collections

import pytest

from cornu import tree


def test_flatten_with_path_sorted_dict_keys_and_indices():
    assert tree.flatten_with_path([{"foo": 42}]) == [((0, "foo"), 42)]
    assert tree.flatten_with_path({"b": [1, (2, 3)], "a": {"c": None}}) == [
        (("a", "c"), None), (("b", 0), 1), (("b", 1, 0), 2), (("b", 1, 1), 3)]
    assert tree.flatten_with_path(3) == [((), 3)]
    assert tree.flatten_with_path([]) == []
    # the leaves are flatten()'s leaves, in the same order
    s = {"z": [1, {"y": 2, "x": 3}], "a": 4}
    assert [leaf for _, leaf in tree.flatten_with_path(s)] == tree.flatten(s)


def test_traverse_top_down_visits_parents_first():
    visited = []
    s = [(1, 2), [3], {"a": 4}]
    assert tree.traverse(visited.append, s) == s
    assert visited == [s, (1, 2), 1, 2, [3], 3, {"a": 4}, 4]


def test_traverse_bottom_up_visits_children_first():
    visited = []
    s = [(1, 2), [3], {"a": 4}]
    assert tree.traverse(visited.append, s, top_down=False) == s
    assert visited == [1, 2, (1, 2), 3, [3], 4, {"a": 4}, s]


def test_traverse_replaces_subtrees_and_map_to_none():
    s = [(1, 2), [3], {"a": 4}]
    # top-down: a non-None result replaces the sub-tree, which is not entered
    assert tree.traverse(lambda x: 0 if isinstance(x, tuple) else None, s) == [0, [3], {"a": 4}]
    assert tree.traverse(lambda x: tree.MAP_TO_NONE if x == 3 else None, s) == [
        (1, 2), [None], {"a": 4}]
    times_ten = tree.traverse(lambda x: x * 10 if isinstance(x, int) else None, s,
                              top_down=False)
    assert times_ten == [(10, 20), [30], {"a": 40}] and isinstance(times_ten[0], tuple)
    with pytest.raises(TypeError, match="callable"):
        tree.traverse(3, s)


def test_map_structure_up_to_keeps_deeper_parts_whole():
    structure = [[1, 1], [2, 2]]
    assert tree.map_structure_up_to([None, None], len, structure) == [2, 2]
    assert tree.map_structure_up_to([None, [None, None]], str, structure) == [
        "[1, 1]", ["2", "2"]]
    assert tree.map_structure_up_to({"a": None}, lambda x, y: x + y, {"a": [1]}, {"a": [2]}) \
        == {"a": [1, 2]}


def test_map_structure_up_to_refuses_shallower_structures():
    with pytest.raises(ValueError, match="expected a list"):
        tree.map_structure_up_to([None, [None, None]], str, [[1, 1], 2])
    with pytest.raises(ValueError, match="keys"):
        tree.map_structure_up_to({"a": None}, str, {"b": 1})
    with pytest.raises(ValueError, match="2 items"):
        tree.map_structure_up_to([None, None], str, [1, 2, 3])


def test_assert_same_paths_ignores_container_types():
    tree.assert_same_paths([0, 1], (2, 3))
    point1 = collections.namedtuple("Point1", ["x", "y"])
    point2 = collections.namedtuple("Point2", ["x", "y"])
    tree.assert_same_paths(point1(0, 1), point2(2, 3))
    tree.assert_same_paths([0, {"a": 1}], (2, {"a": 3}))
    with pytest.raises(ValueError, match=r"Paths in `a` missing in `b`:\n\{\('a',\)\}"):
        tree.assert_same_paths({"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match=r"Paths in `b` missing in `a`:\n\{\(2,\)\}"):
        tree.assert_same_paths([0, 1], [0, 1, 2])


def test_lists_to_tuples_at_every_depth():
    assert tree.lists_to_tuples([1, [2, {"a": [3]}], (4, [5])]) == (
        1, (2, {"a": (3,)}), (4, (5,)))
    assert tree.lists_to_tuples(7) == 7


def test_map_shape_structure_treats_int_tuples_as_leaves():
    out = tree.map_shape_structure(lambda s: ("S", s), [
        (1, 2), {"b": (None, 3), "a": ()}, [4, 5], (1, (2, 3)), 7])
    assert out == [("S", (1, 2)), {"a": ("S", ()), "b": ("S", (None, 3))}, ("S", [4, 5]),
                   (("S", 1), ("S", (2, 3))), ("S", 7)]
    assert tree.map_shape_structure(len, {"x": (None, 3), "y": [(2, 2, 1)]}) == {
        "x": 2, "y": [3]}


def test_map_to_none_is_a_class_marker():
    assert isinstance(tree.MAP_TO_NONE, type)
