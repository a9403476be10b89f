"""The questions of each notebook's "check your understanding" quiz: data only, one right choice each."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Choice:
    """One answer, and why it is right or wrong (shown when it is checked)."""

    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    """A multiple-choice question; `explanation` is the lesson, shown after any answer."""

    prompt: str
    choices: tuple[Choice, ...]
    explanation: str

    @property
    def answer(self) -> Choice:
        return next(choice for choice in self.choices if choice.correct)


def _right(text: str, feedback: str) -> Choice:
    return Choice(text, feedback, correct=True)


def _mixed(questions: tuple[Question, ...]) -> tuple[Question, ...]:
    """The right answer comes first below, which reads well; on screen it moves, so no letter gives it away."""
    mixed = []
    for question in questions:
        shift = sum(map(ord, question.prompt)) % len(question.choices)
        mixed.append(replace(question, choices=question.choices[shift:] + question.choices[:shift]))
    return tuple(mixed)


_WRITTEN: dict[str, tuple[Question, ...]] = {
    "00": (
        Question(
            "What differs between the local target and a real AWS account?",
            (
                _right(
                    "Only the credentials and the endpoint the calls go to.",
                    "Right: the same notebooks, CDK app and boto3 calls run on both.",
                ),
                Choice(
                    "The notebooks: each target has its own copy.",
                    "No: there is one set of notebooks; nothing in them knows which target runs.",
                ),
                Choice(
                    "The stacks: the local cloud runs a simplified version.",
                    "No: the local cloud deploys the very templates `cdk synth` writes for AWS.",
                ),
            ),
            "One path, two targets: a cell calls workshop_utils, which builds a boto3 client or runs the CDK CLI "
            "pointed at the current target.",
        ),
        Question(
            "You close the laptop's lid, restart it and open notebook 03. What happens to your deployed stacks?",
            (
                _right(
                    "They come back: the first cell starts the local cloud, which restores them from your last deploy.",
                    "Right: at each successful deploy the local cloud keeps the stack's template, parameters and code "
                    "on disk, and its start builds those stacks again with the same names. What was in flight "
                    "(queued messages, logs, unfinished requests) is lost, and start names the unfinished requests.",
                ),
                Choice(
                    "They are gone: the local cloud keeps everything in memory.",
                    "No: what you deployed is kept on disk (`.local_cloud/persist/`) and restored on start; only "
                    "what was in flight or in memory (queued messages, logs, table items) is lost.",
                ),
                Choice(
                    "You must run every notebook again from 00.",
                    "No: each notebook's first cell deploys what that notebook needs, so you carry on where you were.",
                ),
            ),
            "The local cloud is a process of its own: it outlives a kernel restart, and after a laptop restart its "
            "start restores what you deployed.",
        ),
    ),
    "01": (
        Question(
            "What does the Parallel state's output guarantee about the order of the quotes?",
            (
                _right(
                    "One element per branch, in the order the branches are defined.",
                    "Right: Step Functions waits for every branch and puts each branch's output at that "
                    "branch's index, whichever vendor answered first.",
                ),
                Choice(
                    "The order in which the vendors answered, fastest first.",
                    "No: the arrival order never shows; the output is in branch order.",
                ),
                Choice(
                    "No order at all, so the caller must match quotes to vendors.",
                    "No: the order is guaranteed (branch order). Sorting by price is a choice, not a need.",
                ),
            ),
            "A Parallel state is scatter *and* gather: it knows every branch, waits for all of them and returns "
            "their outputs as one array in definition order.",
        ),
        Question(
            "You add a third vendor to this stack. What must change and be redeployed?",
            (
                _right(
                    "The state machine's definition (a new branch), besides the new responder function.",
                    "Right: the orchestrator lists every vendor, so a new vendor is a change of its definition.",
                ),
                Choice(
                    "Only the new responder function: the state machine finds it at run time.",
                    "No: a Parallel state's branches are fixed in its definition; nothing is discovered at run time.",
                ),
                Choice(
                    "Nothing: Step Functions calls every Lambda function of the account.",
                    "No: a Task state invokes the one function named in the definition.",
                ),
            ),
            "The refactoring moves this coupling out of the orchestrator: in notebook 03's `cdk diff` the Parallel "
            "stack's definition changes, while the SNS stack changes only the aggregator's list of expected vendors.",
        ),
        Question(
            "One vendor's function fails, and its branch has no Catch (the original sample). What does the "
            "caller get?",
            (
                _right(
                    "A failed execution and no quotes at all, even from the vendors that answered.",
                    "Right: one failed branch fails the Parallel state, which stops the other branches and fails "
                    "the execution.",
                ),
                Choice(
                    "The other vendors' quotes, with the error listed.",
                    "Not without help: that is what a Retry and a Catch on each branch give (this workshop's "
                    "default, shown in 02b).",
                ),
                Choice(
                    "Nothing yet: Step Functions retries the branch until it succeeds.",
                    "No: a state retries only with a Retry field, and even then at most MaxAttempts times.",
                ),
            ),
            "Orchestration makes failure handling explicit and central: each branch needs its own Retry and Catch.",
        ),
        Question(
            "Where do you read what happened to one request, step by step?",
            (
                _right(
                    "In the execution's event history: every state's input, output and error in one place.",
                    "Right: that one place to look is what the orchestrator gives you, and what the refactoring "
                    "gives up.",
                ),
                Choice(
                    "In each responder's log group, one by one.",
                    "You can, but you need not: the execution history already holds every branch's result. "
                    "Piecing logs together is the SNS pattern's lot.",
                ),
                Choice(
                    "Nowhere: Lambda does not record invocations.",
                    "No: both the execution history and the functions' logs record them.",
                ),
            ),
            "Visibility is the Parallel state's strength; the SNS pattern must rebuild it from logs and records.",
        ),
    ),
    "02": (
        Question(
            "You add a third vendor to the SNS stack. What changes?",
            (
                _right(
                    "A new responder subscribed to the topic, with its OnSuccess destination to the queue.",
                    "Right: nothing that calls the vendors changes; the aggregator only learns how many quotes "
                    "to expect (its batch size and expected vendors follow the list).",
                ),
                Choice(
                    "The requester's code, which must now publish to the new vendor too.",
                    "No: the requester returns its result, and its destination publishes it once, to the topic; "
                    "it does not know who subscribes.",
                ),
                Choice(
                    "The state machine's definition.",
                    "There is no state machine in this stack: the topic does the scatter.",
                ),
            ),
            "Choreography: a vendor joins by subscribing, and nothing that sends or scatters the request changes. "
            "Notebook 03's `cdk diff` shows the new vendor's resources and two changed values of the aggregator "
            "(`EXPECTED_VENDORS` and its batch size): the gather still knows the vendors.",
        ),
        Question(
            "The requester is invoked with InvocationType=Event. What does the caller get back?",
            (
                _right(
                    "202 Accepted at once, before the requester even runs.",
                    "Right: Lambda queues the event and answers; the quotes reach the aggregator later.",
                ),
                Choice(
                    "The quotes, once every vendor has answered.",
                    "No: nobody waits for the vendors in this pattern; the aggregator gathers the quotes.",
                ),
                Choice(
                    "An error when a vendor fails.",
                    "No: the caller has its 202 long before any vendor runs; failures are recorded instead "
                    "(notebook 02b).",
                ),
            ),
            "An asynchronous invocation decouples the caller in time: the answer is 'accepted', not the result.",
        ),
        Question(
            "What carries the requester's result to the SNS topic?",
            (
                _right(
                    "Its OnSuccess destination: Lambda publishes the invocation record; the handler never calls SNS.",
                    "Right: the wiring is configuration, so the requester's code knows nothing of the topic.",
                ),
                Choice(
                    "An sns.publish call at the end of the requester's handler.",
                    "No: the handler only returns its result; the destination does the publishing.",
                ),
                Choice(
                    "The topic polls the requester for new results.",
                    "No: SNS never polls; a Lambda destination pushes the record when the invocation succeeds.",
                ),
            ),
            "Destinations move the 'what next' out of the code and into the stack, which is what the refactoring "
            "rewires.",
        ),
        Question(
            "What does the aggregator's batching window (1 s by default) cost a single request?",
            (
                _right(
                    "Up to the window when the batch does not fill (a slow or failed vendor); nothing when it does.",
                    "Right: the event source hands over a batch as soon as it holds one message per vendor (the "
                    "batch size), or when the window closes, whichever comes first.",
                ),
                Choice(
                    "Always the whole window: the event source waits it out before every invocation.",
                    "No: a full batch goes at once; the window only bounds the wait for a batch that does not fill.",
                ),
                Choice(
                    "Nothing: the window affects throughput only.",
                    "No: a request with a missing quote waits for the window to close before its quotes are "
                    "handed to the aggregator.",
                ),
            ),
            "Batching trades a bounded wait for fewer invocations; a batch size equal to the number of vendors "
            "keeps the common case fast.",
        ),
    ),
    "02a": (
        Question(
            "Which piece of the new stack replaces the Parallel state's fan-out?",
            (
                _right(
                    "The SNS topic, with one Lambda subscription per responder.",
                    "Right: publishing once to the topic reaches every subscribed vendor.",
                ),
                Choice(
                    "The SQS queue.",
                    "No: the queue is the gather side; it collects the responders' results.",
                ),
                Choice(
                    "A loop over the vendors in the requester's code.",
                    "No: that would couple the requester to the vendors again, the very thing the refactoring "
                    "removes.",
                ),
            ),
            "Scatter by publish-subscribe, gather by a queue: the topic and the queue take the Parallel state's "
            "two jobs.",
        ),
        Question(
            "You forget the aggregator's SQS event source. What happens to a request?",
            (
                _right(
                    "The quotes pile up in the queue and the aggregator never runs.",
                    "Right: nothing reads the queue, so no aggregate is ever written; the stack deploys fine, "
                    "which is why the exercise's check looks for the event source.",
                ),
                Choice(
                    "SNS invokes the aggregator directly instead.",
                    "No: the aggregator is not subscribed to the topic; only the event source invokes it.",
                ),
                Choice(
                    "CloudFormation refuses to deploy the stack.",
                    "No: a queue without a consumer is a valid stack; the mistake shows only at run time.",
                ),
            ),
            "In choreography each link is a separate piece of wiring; a missing one fails silently, so check "
            "the wiring, not only the deploy.",
        ),
        Question(
            "What replaces the Parallel state's 'wait for every branch'?",
            (
                _right(
                    "The aggregator: it correlates quotes by uuid and decides when a request is complete.",
                    "Right: with every expected vendor, or at the deadline (notebook 02b).",
                ),
                Choice(
                    "SNS, which waits until every subscriber has answered.",
                    "No: SNS delivers and forgets; it never waits for an answer.",
                ),
                Choice(
                    "The queue, which holds a request's quotes until all have arrived.",
                    "No: the queue delivers whatever is there; it knows nothing of requests.",
                ),
            ),
            "What the orchestrator did for free (wait for all, in order) becomes the aggregator's job.",
        ),
    ),
    "02b": (
        Question(
            "Why does the deadline come from a delayed queue subscribed to the topic, and not from a delayed "
            "message the aggregator sends on a request's first quote?",
            (
                _right(
                    "A request nobody answers has no first quote; only the topic sees every request.",
                    "Right: subscribed to the topic, the deadline queue gets every request at scatter time, so "
                    "even a request every vendor fails ends with a timed_out aggregate.",
                ),
                Choice(
                    "SQS delays are more precise than anything the aggregator could schedule.",
                    "Precision is not the point: the aggregator never hears of a request that no vendor answered.",
                ),
                Choice(
                    "Lambda functions cannot send messages to SQS.",
                    "They can (the responders' destinations do); the problem is that nothing would start the timer.",
                ),
            ),
            "A Step Functions Wait state would also work, but would bring back the orchestrator the refactoring "
            "removed.",
        ),
        Question(
            "A vendor's responder fails on every asynchronous invocation. What does Lambda do?",
            (
                _right(
                    "Retries it twice, then sends an OnFailure record (error and request) to the failed-invocations "
                    "queue.",
                    "Right: two retries is Lambda's default for asynchronous invocations (this stack sets it "
                    "explicitly), and the OnFailure destination records what would otherwise be lost.",
                ),
                Choice(
                    "Nothing: the caller already had its 202, so the failure is not Lambda's concern.",
                    "No: the 202 means 'queued'. Lambda retries, then uses the OnFailure destination; without one "
                    "(or a dead-letter queue) the event would be discarded after the retries.",
                ),
                Choice(
                    "Sends the error back to the requester.",
                    "No: the requester finished long ago; nobody is waiting for the vendor.",
                ),
            ),
            "In choreography failures do not propagate to a caller: they must be recorded (OnFailure) and "
            "reported (the timed_out aggregate).",
        ),
        Question(
            "SQS delivers the same quote twice. What keeps the aggregate right?",
            (
                _right(
                    "Each quote is a conditional put (attribute_not_exists) keyed by uuid and vendor.",
                    "Right: the second write of the same quote is refused, so a duplicate counts once.",
                ),
                Choice(
                    "The queue is FIFO, so SQS removes duplicates.",
                    "No: it is a standard queue, delivered at least once; the aggregator must be idempotent.",
                ),
                Choice(
                    "The aggregator remembers the quotes it has seen in memory.",
                    "No: two batches may run in two execution environments that share nothing; the state lives "
                    "in the table.",
                ),
            ),
            "At-least-once delivery plus idempotent writes gives exactly-once effects.",
        ),
        Question(
            "You send days_rental 0, which the requester rejects. What happens on each path?",
            (
                _right(
                    "Parallel: the execution fails at once. SNS: 202 Accepted, then an OnFailure record.",
                    "Right: neither path retries (retrying cannot fix a bad request), and on both the failure "
                    "is recorded, never lost.",
                ),
                Choice(
                    "Both answer with an error to the caller straight away.",
                    "Only the synchronous path does; the SNS requester is invoked asynchronously and answers 202.",
                ),
                Choice(
                    "Both retry twice before giving up.",
                    "No: the Parallel stack retries Lambda's own service errors only, and the SNS requester "
                    "is set to 0 retries.",
                ),
            ),
            "Validate early (the form), and make sure what slips through ends somewhere you can see.",
        ),
    ),
    "03": (
        Question(
            "On AWS, which pattern's cost per request grows fastest with the number of vendors, and why?",
            (
                _right(
                    "Step Functions Standard: it bills every state transition, and each vendor adds one.",
                    "Right: 2 + one transition per vendor at $0.025 per 1,000, far above the Lambda requests "
                    "both patterns pay per vendor.",
                ),
                Choice(
                    "The SNS pattern: every subscription is a paid delivery.",
                    "No: SNS deliveries to Lambda cost nothing; per vendor it pays a Lambda invocation and a few "
                    "SQS requests.",
                ),
                Choice(
                    "Neither: cost does not depend on the number of vendors.",
                    "No: both grow, because each vendor is another invocation; the question is how fast.",
                ),
            ),
            "Against Express workflows the gap narrows: the lasting arguments for the refactoring are decoupling "
            "and vendors that join without a redeploy of what orchestrates.",
        ),
        Question(
            "With both stacks' failure handling on, one vendor fails every request. What does each pattern "
            "return?",
            (
                _right(
                    "Parallel: success after the branch's retries, two quotes and the error. SNS: a timed_out "
                    "aggregate at the deadline, naming the vendor.",
                    "Right: the Parallel execution waits out the retries and catches the error; the SNS aggregator "
                    "learns of the missing vendor only when the deadline passes.",
                ),
                Choice(
                    "Both fail the request as a whole.",
                    "Only the Parallel state without Catch does that; with it (the default here) the execution "
                    "succeeds with a partial result.",
                ),
                Choice(
                    "SNS returns the two quotes at once and the request ends there.",
                    "The quotes arrive at once, but the request stays open until the deadline: the aggregator "
                    "cannot know the third vendor will never answer.",
                ),
            ),
            "Both patterns need explicit failure handling, of different kinds: Retry and Catch, or OnFailure "
            "and a deadline.",
        ),
        Question(
            "Which is the lasting argument for the refactoring?",
            (
                _right(
                    "Decoupling: a vendor joins by subscribing, without changing what sends the request.",
                    "Right: that holds on any target and at any price list.",
                ),
                Choice(
                    "It is always faster.",
                    "Not per request: the timelines show similar times; only the requester returns sooner.",
                ),
                Choice(
                    "It is always cheaper.",
                    "Only against Standard workflows; Express workflows are cheaper still for short runs.",
                ),
            ),
            "Measure speed and cost on your own target; choose the pattern for its coupling.",
        ),
    ),
    "99": (
        Question(
            "After the cleanup on AWS, what is left in the account?",
            (
                _right(
                    "The CDKToolkit bootstrap stack, kept by choice, and the topic's KMS key, scheduled for "
                    "deletion.",
                    "Right: both workshop stacks, their functions, queues and log groups are gone; the key waits "
                    "out its 7-day pending window (PendingWindowInDays), unbilled, then AWS deletes it.",
                ),
                Choice(
                    "The log groups, which must be deleted by hand.",
                    "No: every log group has a removal policy and went with its stack (the check proved it); "
                    "what stays is the bootstrap stack and, for 7 days, the KMS key.",
                ),
                Choice(
                    "Nothing at all.",
                    "Almost: the bootstrap stack stays, because other CDK apps in the account may use it, and "
                    "the KMS key is only scheduled for deletion.",
                ),
            ),
            "Clean up what you deployed, and know what you keep on purpose.",
        ),
        Question(
            "Had you forgotten to clean up on AWS, what would have kept costing money while idle?",
            (
                _right(
                    "The SNS topic's customer-managed KMS key: about $1 a month, prorated.",
                    "Right: everything else here is pay per request and costs nothing while nobody calls it.",
                ),
                Choice(
                    "The Lambda functions, billed per hour while deployed.",
                    "No: Lambda bills requests and duration only.",
                ),
                Choice(
                    "The state machine, billed per hour while deployed.",
                    "No: Standard workflows bill state transitions only.",
                ),
            ),
            "Serverless idles for free, with few exceptions: know yours.",
        ),
    ),
}
QUESTIONS: dict[str, tuple[Question, ...]] = {key: _mixed(questions) for key, questions in _WRITTEN.items()}
