"""Bitext-shaped data: `bitext/bitext_customer_support.csv`.

Columns `flags,instruction,category,intent,response` over the 27 Bitext intents in 11
categories. Instructions and responses carry `{{Order Number}}`-style placeholders
verbatim, responses span several lines (quoted in the CSV, as in the public file), and
`flags` lists the language variations applied to the instruction, in Bitext's letter
codes: B basic, C coordinated, I interrogative, K keyword, L lexical, P polite,
Q colloquial, W offensive, Z noise (typos).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from supportlens.ingest.generate.common import add_typo, chance, pick, rng_for, write_csv
from supportlens.ingest.generate.scales import Scale

# intent -> (category, request phrases, response templates)
BITEXT_INTENTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "cancel_order": (
        "ORDER",
        ("cancel order {{Order Number}}", "cancel my purchase {{Order Number}}",
         "cancelling the order {{Order Number}}", "call off order {{Order Number}}"),
        ("I understand you want to cancel order {{Order Number}}. To do so:\n\n1. Sign in to "
         "{{Online Company Portal Info}}.\n2. Open {{Online Order Interaction}}.\n3. Choose "
         "the order and select cancel.\n\nIf you need more help, call {{Customer Support "
         "Phone Number}}.",
         "Sorry to hear you want to cancel purchase {{Order Number}}. You can cancel it in "
         "{{Online Order Interaction}} on {{Website URL}}, or our team can do it for you "
         "during {{Customer Support Hours}}."),
    ),
    "change_order": (
        "ORDER",
        ("change order {{Order Number}}", "modify my order", "edit the items in my order",
         "update purchase {{Order Number}}"),
        ("Happy to help you change order {{Order Number}}. Please tell me which items you "
         "would like to add, remove or replace and I will update it right away.",
         "You can modify your order in {{Online Order Interaction}} until it ships. If it "
         "has already shipped, contact us at {{Customer Support Phone Number}}."),
    ),
    "place_order": (
        "ORDER",
        ("place an order", "buy some items", "purchase a product", "make an order"),
        ("Thank you for choosing us! To place an order, browse {{Website URL}}, add the items "
         "to your cart and go to checkout.\n\nNeed a hand? Chat with us during {{Customer "
         "Support Hours}}.",
         "I'd be glad to help you buy what you need. Tell me the products and quantities and "
         "I'll guide you through the checkout."),
    ),
    "track_order": (
        "ORDER",
        ("track order {{Order Number}}", "check the status of my order",
         "see where my order {{Order Number}} is", "locate my purchase"),
        ("You can track order {{Order Number}} in {{Online Order Interaction}}. The tracking "
         "page shows each step from dispatch to delivery.",
         "Let me help you find order {{Order Number}}. Its current status is shown under "
         "'{{Order Status}}' in your account on {{Website URL}}."),
    ),
    "delivery_options": (
        "DELIVERY",
        ("see the delivery options", "check shipping methods", "know what delivery options "
         "you have", "find out about express shipping"),
        ("We offer several delivery options:\n\n- Standard: {{Date Range}}\n- Express: "
         "{{Date Range}}\n- Pick-up at {{Store Location}}\n\nChoose the one you prefer at "
         "checkout.",
         "Our shipping methods depend on your address in {{Delivery City}}. You will see "
         "every option and its cost at checkout."),
    ),
    "delivery_period": (
        "DELIVERY",
        ("know when my package will arrive", "check the delivery time", "find out how long "
         "delivery takes", "know the ETA of order {{Order Number}}"),
        ("Deliveries usually take {{Date Range}} to arrive. You can follow order {{Order "
         "Number}} in {{Online Order Interaction}} for the exact date.",
         "I understand you're waiting for your package. Delivery to {{Delivery City}} "
         "normally takes {{Date Range}}."),
    ),
    "check_invoice": (
        "INVOICE",
        ("check invoice {{Invoice Number}}", "see my bill", "look at the invoice from "
         "{{Person Name}}", "find my invoices"),
        ("You can see invoice {{Invoice Number}} in the '{{Invoice Section}}' of your account "
         "on {{Website URL}}.",
         "Sure! Your invoices are listed in {{Online Company Portal Info}}; open any of them "
         "to see the details."),
    ),
    "get_invoice": (
        "INVOICE",
        ("get invoice {{Invoice Number}}", "download my bill", "receive a copy of my invoice",
         "get the invoice for order {{Order Number}}"),
        ("I'll help you get invoice {{Invoice Number}}. Go to '{{Invoice Section}}' and "
         "select download, or we can email it to you.",
         "A copy of your bill can be downloaded from {{Online Company Portal Info}}. If you "
         "can't find it, call {{Customer Support Phone Number}}."),
    ),
    "check_payment_methods": (
        "PAYMENT",
        ("check the payment methods", "see what payment options you accept", "know if I can "
         "pay with PayPal", "find out the accepted ways to pay"),
        ("We accept:\n\n- Credit and debit cards\n- PayPal\n- Bank transfer\n- Apple Pay\n\n"
         "Let me know if you have questions about any of them.",
         "You can pay with any major card, PayPal or bank transfer. All options appear at "
         "checkout on {{Website URL}}."),
    ),
    "payment_issue": (
        "PAYMENT",
        ("report a payment issue", "solve a problem with my payment", "fix an error when "
         "paying", "tell you my payment was rejected"),
        ("I'm sorry you had trouble with your payment. Please check your card details and "
         "try again; if it still fails, contact {{Customer Support Phone Number}}.",
         "Thanks for telling us about the payment problem. Our team will look into it and "
         "get back to you within {{Date Range}}."),
    ),
    "check_refund_policy": (
        "REFUND",
        ("check the refund policy", "see your money back guarantee", "know in which cases "
         "I can get a refund", "read the refund conditions"),
        ("Our refund policy lets you request your money back within {{Date Range}} of "
         "delivery. Full details are at {{Website URL}}.",
         "You can get a refund for items returned unused. The complete policy is in "
         "{{Online Company Portal Info}}."),
    ),
    "get_refund": (
        "REFUND",
        ("get a refund", "request a reimbursement of {{Refund Amount}}", "get my money back",
         "obtain a refund for order {{Order Number}}"),
        ("I understand you want a refund of {{Refund Amount}}. Please submit the request in "
         "{{Online Order Interaction}} and we'll process it within {{Date Range}}.",
         "I'm sorry the product didn't work out. Start your refund at {{Website URL}} and "
         "we'll keep you posted."),
    ),
    "track_refund": (
        "REFUND",
        ("track my refund", "check the status of my reimbursement", "know if my refund was "
         "processed", "see where my refund of {{Refund Amount}} is"),
        ("Your refund of {{Refund Amount}} is being processed. You can check its status in "
         "{{Online Company Portal Info}}.",
         "Let me check on your reimbursement. Refunds usually reach your account within "
         "{{Date Range}}."),
    ),
    "check_cancellation_fee": (
        "CANCELLATION_FEE",
        ("check the cancellation fee", "know if there is an early termination penalty",
         "see how much it costs to cancel", "find out the cancellation charges"),
        ("The cancellation fee depends on your {{Account Type}} plan. You can see it in "
         "{{Online Company Portal Info}}.",
         "Early termination may carry a fee of {{Money Amount}}. Contact us at {{Customer "
         "Support Phone Number}} for your exact amount."),
    ),
    "complaint": (
        "FEEDBACK",
        ("file a complaint", "make a complaint about your service", "lodge a claim against "
         "{{Person Name}}", "complain about my order"),
        ("I'm truly sorry about your experience. Please share the details and we'll make "
         "it right as soon as possible.",
         "Thank you for letting us know. I've registered your complaint and a specialist will "
         "contact you within {{Date Range}}."),
    ),
    "review": (
        "FEEDBACK",
        ("leave a review", "give feedback about your service", "write a review for a "
         "product", "share my opinion"),
        ("We'd love to hear from you! You can leave a review at {{Website URL}}.",
         "Thanks for wanting to share your feedback. Your opinion helps us improve."),
    ),
    "contact_customer_service": (
        "CONTACT",
        ("contact customer service", "speak with customer support", "get in touch with your "
         "team", "know your customer service hours"),
        ("You can reach customer service during {{Customer Support Hours}} at {{Customer "
         "Support Phone Number}} or via live chat on {{Website URL}}.",
         "Our support team is available {{Customer Support Hours}}. Call {{Customer Support "
         "Phone Number}} and we'll be happy to help."),
    ),
    "contact_human_agent": (
        "CONTACT",
        ("talk to a human agent", "speak with a real person", "talk to someone", "get a live "
         "agent"),
        ("I understand you'd like to speak with a person. Please hold on while I connect you "
         "with one of our agents.",
         "Sure, I'm transferring you to a live agent now. Our hours are {{Customer Support "
         "Hours}}."),
    ),
    "create_account": (
        "ACCOUNT",
        ("create an account", "open a new {{Account Type}} account", "sign up", "register a "
         "user account"),
        ("Welcome! To create an account go to {{Website URL}}, select 'Sign Up' and fill in "
         "your details.",
         "Happy to help you open a {{Account Type}} account. It only takes a few minutes at "
         "{{Website URL}}."),
    ),
    "delete_account": (
        "ACCOUNT",
        ("delete my account", "close my {{Account Type}} account", "remove my user profile",
         "cancel my account"),
        ("I'm sorry to see you go. You can close your account in {{Online Company Portal "
         "Info}} under settings.",
         "To delete your {{Account Type}} account, contact us at {{Customer Support Phone "
         "Number}} and we'll confirm it."),
    ),
    "edit_account": (
        "ACCOUNT",
        ("edit my account", "update my profile details", "change my {{Account Category}} "
         "info", "modify my personal data"),
        ("You can edit your account in {{Online Company Portal Info}} under 'Profile'. Save "
         "the changes when you're done.",
         "Sure! Let me know which details you'd like to update and I'll guide you."),
    ),
    "recover_password": (
        "ACCOUNT",
        ("recover my password", "reset my password", "retrieve my PIN", "get back into my "
         "account"),
        ("To reset your password, click 'Forgot password' on {{Website URL}} and follow the "
         "email we send you.",
         "I'm here to help you get back into your account. Use the recovery link on the "
         "sign-in page."),
    ),
    "registration_problems": (
        "ACCOUNT",
        ("report a registration problem", "tell you I can't sign up", "fix an error while "
         "registering", "solve issues with signing up"),
        ("I'm sorry you're having trouble signing up. Please try again at {{Website URL}}; "
         "if it still fails, call {{Customer Support Phone Number}}.",
         "Thanks for reporting the registration problem. Could you send us the error "
         "message you see?"),
    ),
    "switch_account": (
        "ACCOUNT",
        ("switch to the {{Account Type}} account", "change my account type", "move to a "
         "different plan", "switch my user account"),
        ("You can switch to the {{Account Type}} account in {{Online Company Portal Info}} "
         "under 'Plan'.",
         "Changing your account type is easy. Let me know which plan you want and I'll do "
         "the rest."),
    ),
    "newsletter_subscription": (
        "NEWSLETTER",
        ("subscribe to the newsletter", "unsubscribe from your emails", "sign up for the "
         "company newsletter", "cancel my newsletter subscription"),
        ("You can manage your newsletter subscription in {{Online Company Portal Info}} or "
         "via the link at the bottom of any email.",
         "Happy to help with the newsletter. Enter your email at {{Website URL}} to "
         "subscribe."),
    ),
    "change_shipping_address": (
        "SHIPPING_ADDRESS",
        ("change my shipping address", "update the delivery address", "correct my address "
         "for order {{Order Number}}", "modify my shipping address"),
        ("To change your shipping address, go to {{Online Company Portal Info}} and edit the "
         "address under 'Addresses'.",
         "I can update the delivery address for order {{Order Number}} if it hasn't "
         "shipped yet. What's the new address?"),
    ),
    "set_up_shipping_address": (
        "SHIPPING_ADDRESS",
        ("set up a shipping address", "add a new delivery address", "enter my address",
         "register a shipping address"),
        ("To set up a shipping address, open 'Addresses' in {{Online Company Portal Info}} "
         "and select 'Add new'.",
         "Sure! You can add a delivery address during checkout or in your profile on "
         "{{Website URL}}."),
    ),
}  # fmt: skip

_BASIC = ("i want to {a}", "i need to {a}", "help me {a}", "i have to {a}", "i'd like to {a}")
_INTERROGATIVE = ("how do i {a}?", "can you help me {a}?", "where can i {a}?", "how to {a}?")
_POLITE = ("could you please help me {a}?", "i'd like to {a}, please", "would you help me {a}?")
_COLLOQUIAL = ("wanna {a}", "gotta {a} asap", "need to {a} lol", "how u {a}")
_OFFENSIVE = ("i need to {a} right now, damn it", "can't you just let me {a}, dammit")
_COORDINATED = ("i bought something and i need to {a}, can you help me?",
                "i am writing because i need to {a} and don't know how")  # fmt: skip
_LEXICAL = {"i want to": "i wish to", "help me": "assist me to", "i need to": "i must"}


def _instruction(rng: np.random.Generator, phrases: tuple[str, ...]) -> tuple[str, str]:
    """An instruction and the flags describing how it was varied."""
    action = pick(rng, phrases)
    flags = {"B"}
    style = float(rng.random())
    if style < 0.08:
        text, flags = action, {"B", "K"}
    elif style < 0.35:
        text = pick(rng, _INTERROGATIVE).format(a=action)
        flags.add("I")
    elif style < 0.5:
        text = pick(rng, _POLITE).format(a=action)
        flags.add("P")
    elif style < 0.62:
        text = pick(rng, _COLLOQUIAL).format(a=action)
        flags.add("Q")
    elif style < 0.65:
        text = pick(rng, _OFFENSIVE).format(a=action)
        flags.add("W")
    elif style < 0.72:
        text = pick(rng, _COORDINATED).format(a=action)
        flags.add("C")
    else:
        text = pick(rng, _BASIC).format(a=action)
    for plain, varied in _LEXICAL.items():
        if text.startswith(plain) and chance(rng, 0.4):
            text = varied + text[len(plain) :]
            flags.add("L")
    if chance(rng, 0.3):
        # Typos only outside placeholders: Bitext keeps {{…}} intact.
        head, sep, tail = text.partition("{{")
        text = add_typo(rng, head) + sep + tail
        flags.add("Z")
    return text, "".join(sorted(flags))


def bitext_rows(rng: np.random.Generator, total: int) -> list[tuple[str, str, str, str, str]]:
    intents = list(BITEXT_INTENTS)
    per_intent = [total // len(intents) + (1 if i < total % len(intents) else 0)
                  for i in range(len(intents))]  # fmt: skip
    rows = []
    for intent, count in zip(intents, per_intent, strict=True):
        category, phrases, responses = BITEXT_INTENTS[intent]
        for _ in range(count):
            instruction, flags = _instruction(rng, phrases)
            rows.append((flags, instruction, category, intent, pick(rng, responses)))
    return rows


def write_bitext(out_dir: Path, seed: int, scale: Scale) -> dict[str, int]:
    path = out_dir / "bitext" / "bitext_customer_support.csv"
    rows = bitext_rows(rng_for(seed, "bitext"), scale.bitext_rows)
    header = ("flags", "instruction", "category", "intent", "response")
    return {"bitext/bitext_customer_support.csv": write_csv(path, header, rows)}
