"""Each step of the process is declared once, on its node in ``workflows/flows.py``: the
task API, the portal, the inbox and the chart find everything about a step there."""

import pytest
from django.template.loader import get_template
from django.utils import translation
from django.utils.module_loading import import_string
from rest_framework import serializers

from portal.chart import step_label
from portal.forms.tasks import TaskForm
from tests.workflows import journey
from workflows.flows import ChallengeFlow
from workflows.nodes import Actor, Step
from workflows.services import can_act

NODES = list(ChallengeFlow.instance.nodes())
STEPS = [node for node in NODES if isinstance(node, Step)]


def test_every_human_node_is_a_declared_step():
    # then no human task exists that is not a Step (with who acts, data, call and page)
    human = {node.name for node in NODES if node.task_type == "HUMAN"}
    assert human == {step.name for step in STEPS}
    assert {"draft", "publish", "score", "award"} <= human


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_a_step_names_its_data_its_portal_form_and_its_template(step):
    assert issubclass(step.data, serializers.Serializer)
    assert issubclass(import_string(step.form), TaskForm)
    assert get_template(step.template) is not None
    assert isinstance(step.acts, Actor)


@pytest.mark.parametrize("node", NODES, ids=lambda n: n.name)
def test_every_node_has_a_french_title_and_its_english_translation(node):
    # given the title a node declares (not viewflow's default made from its name)
    default = node.name.replace("_", " ").title()
    with translation.override("fr"):
        french = step_label(node.name)
    with translation.override("en"):
        english = step_label(node.name)

    # then it is written out, and translated
    assert french != default
    assert english != french


def test_who_may_act_follows_the_node_declaration(world):
    # given a draft call: a buyer's step
    challenge = journey.start(world)
    task = journey.open_task(challenge, "draft")
    assert task.flow_task.acts == Actor.BUYER

    # then the buyer's agent may act, the Chambre and a partner may not
    assert can_act(world.buyer_agent, task)
    assert not can_act(world.moderator, task)
    assert not can_act(world.partner_users[0], task)

    # and on the Chambre's step, it is the other way round
    journey.complete(challenge, "draft", world.buyer_agent)
    opinion = journey.open_task(challenge, "call_opinion")
    assert can_act(world.moderator, opinion)
    assert not can_act(world.buyer_agent, opinion)
