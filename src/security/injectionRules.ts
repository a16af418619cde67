/** One family of prompt-injection patterns. */
export interface InjectionRule {
  /** A stable id, reported in findings and errors. */
  id: InjectionRuleId;
  /** What the rule catches, for docs and error messages. */
  description: string;
  /** Run on normalised (lower-case, folded) text. */
  pattern: RegExp;
}

/** The ids of troupe's injection rules. */
export type InjectionRuleId =
  | 'instruction_override'
  | 'role_marker'
  | 'role_switch'
  | 'hidden_instruction'
  | 'prompt_leak'
  | 'hidden_characters'
  | 'encoded_instruction';

// Between words: any run of spaces, punctuation or underscores, including none, so that
// `ignore_all-previous...instructions` and letters spaced out one by one still match.
const S = '[\\s\\W_]*';
const verb = '(?:ignore|disregard|forget|override|bypass|neglect|discard|abandon|skip|overlook)';
const determiner = `(?:(?:all|any|every|each|of|the|your|my|these|those|its|their|such)${S})`;
const qualifier =
  '(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|existing|developer|safety|old|current|given|default)';
const noun =
  '(?:instructions?|prompts?|rules?|directions?|guidelines?|guidance|directives?|commands?|guardrails?|constraints?|programming|context|messages?|orders?|polic(?:y|ies)|restrictions?|filters?|training)';
// A negation right before the verb ("do not ignore the previous instructions") is not an attack.
const notNegated = "(?<!(?:\\bnot|\\bnever|n't|\\bdont|\\bwithout)\\s{1,3})";

function r(source: string): RegExp {
  return new RegExp(source);
}

/**
 * The rules of the injection screen. They run on text normalised by `normalizeForScreening`,
 * and again on its leetspeak reading.
 *
 * @example
 * injectionRules.find((rule) => rule.pattern.test('ignore all previous instructions'))?.id
 * // => 'instruction_override'
 */
export const injectionRules: readonly InjectionRule[] = [
  {
    id: 'instruction_override',
    description: 'ignore/disregard/forget (all) previous instructions, rules or prompts',
    pattern: r(
      `${notNegated}\\b${verb}${S}(?:${determiner}{0,3}${qualifier}${S}(?:[a-z]+${S})?${noun}\\b|(?:all|any|your)${S}${determiner}{0,2}(?:[a-z]+${S})?${noun}\\b|(?:all|everything)${S}(?:of${S})?(?:the${S})?(?:above|before|prior|previously|you${S}(?:were|have${S}been)${S}told))|\\b(?:do${S}not|don${S}t|stop|no${S}longer)${S}(?:follow|obey)(?:ing)?${S}(?:(?:any|all|of|the)${S}){0,2}(?:your${S}(?:${qualifier}${S})?|${qualifier}${S})${noun}\\b`,
    ),
  },
  {
    id: 'role_marker',
    description: 'chat-role markers and special tokens: a `system:` line, <|im_start|>, [INST], <<SYS>>',
    pattern: r(
      '(?:^|\\n)\\s*(?:#+\\s*|\\*+)?(?:system|assistant|developer)(?:\\s+(?:prompt|message|override))?\\s*\\**\\s*:|<\\|(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\\|>|\\[\\/?inst\\]|<<\\/?sys>>|<\\/?(?:system|assistant)(?:_prompt)?>|\\[(?:system|assistant)(?:\\s+(?:message|prompt))?\\]',
    ),
  },
  {
    id: 'role_switch',
    description: '"you are now …", "from now on you are …", "act as an unrestricted …", developer/DAN mode',
    pattern: r(
      `\\byou${S}are${S}(?:now${S}(?:a|an|the|my|no${S}longer|in|dan|free|unrestricted|unfiltered|uncensored|jailbroken|evil|root|admin)|no${S}longer${S}(?:a|an|bound|restricted|limited|an${S}assistant))\\b|\\bfrom${S}now${S}on${S}(?:you${S}(?:are|will${S}be|must${S}act)${S}(?:a|an|the|no${S}longer|dan|free|unrestricted)\\b|act${S}as\\b)|\\b(?:act|behave|respond)${S}as${S}(?:if${S}you${S}(?:are|were)${S})?(?:an?${S})?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|dan)\\b|\\b(?:enter|enable|activate|switch${S}(?:in)?to)${S}(?:the${S})?(?:developer|dan|jailbreak|god|sudo|unrestricted)${S}mode\\b|\\b(?:developer|dan|jailbreak|god)${S}mode${S}(?:is${S})?(?:enabled|activated|on)\\b|\\bpretend${S}(?:that${S})?you${S}(?:have${S}no${S}(?:rules|restrictions|limits|guidelines)|are${S}not${S}bound|are${S}free${S}(?:of|from))|\\b(?:real|actual|true|secret|hidden|override|new)${S}(?:system${S})?(?:instructions?|prompt)${S}(?:is${S}|are${S})?:`,
    ),
  },
  {
    id: 'hidden_instruction',
    description: 'instructions hidden for a model: HTML comments, "note to the AI", "if you are an AI reading this"',
    pattern: r(
      `<!--[\\s\\S]{0,400}?\\b(?:instructions?|ignore|assistant|ai|llm|model|prompt|system)\\b[\\s\\S]{0,400}?-->|\\[${S}(?:hidden|secret)${S}(?:instructions?|prompt)|\\b(?:begin|start)${S}(?:hidden|secret)${S}instructions?|\\b(?:note|message|instructions?)${S}(?:to|for)${S}(?:the${S}|any${S})?(?:ai|assistant|llm|language${S}model|agent|chatbot|bot)s?${S}:|\\bif${S}you${S}are${S}an?${S}(?:ai|llm|language${S}model|assistant|agent|chatbot)\\b${S}(?:reading|processing|summari[sz]ing|seeing)`,
    ),
  },
  {
    id: 'prompt_leak',
    description: "requests to reveal the system prompt, hidden instructions or the model's keys",
    pattern: r(
      `\\b(?:reveal|print|show|repeat|output|leak|disclose|dump|recite|tell${S}me)${S}(?:me${S})?(?:your|the)${S}(?:full${S}|entire${S}|initial${S}|original${S}|hidden${S}|secret${S})?(?:system${S}prompt|initial${S}prompt|hidden${S}instructions|instructions${S}above|(?:api${S})?keys?${S}you${S}(?:use|have)|secrets${S}you)`,
    ),
  },
];
