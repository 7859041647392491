"""The project's own development set of programming problems for the code sandbox.

Written for this project (not taken from any benchmark): each problem has a query, a correct
solution and a test program. `poq-scorer bench-code` makes each solution's one-operator copies,
keeps the first that fails the problem's own tests, and measures how often the composite
prefers the correct program, and what scoring costs. Run this file to rewrite
offchain-worker/data/code-dev.json (the file the benchmark reads).
"""
import json
import pathlib

P = []


def problem(name, query, solution, tests):
    P.append({"name": name, "query": query, "solution": solution.strip("\n") + "\n", "tests": tests.strip("\n") + "\n"})


problem("clamp", "Write clamp(x, lo, hi) that limits x to the range [lo, hi].", """
def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x
""", """
assert clamp(5, 0, 10) == 5
assert clamp(-3, 0, 10) == 0
assert clamp(12, 0, 10) == 10
assert clamp(0, 0, 10) == 0
assert clamp(10, 0, 10) == 10
""")
problem("count_vowels", "Write count_vowels(s) that counts the vowels (a, e, i, o, u, either case) in s.", """
def count_vowels(s):
    n = 0
    for ch in s.lower():
        if ch in "aeiou":
            n += 1
    return n
""", """
assert count_vowels("hello") == 2
assert count_vowels("") == 0
assert count_vowels("AEIOU xyz") == 5
assert count_vowels("rhythm") == 0
""")
problem("fizzbuzz", "Write fizzbuzz(n) returning the list of strings for 1..n: Fizz for multiples of 3, Buzz for 5, FizzBuzz for both, else the number.", """
def fizzbuzz(n):
    out = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            out.append("FizzBuzz")
        elif i % 3 == 0:
            out.append("Fizz")
        elif i % 5 == 0:
            out.append("Buzz")
        else:
            out.append(str(i))
    return out
""", """
assert fizzbuzz(1) == ["1"]
assert fizzbuzz(5) == ["1", "2", "Fizz", "4", "Buzz"]
assert fizzbuzz(15)[-1] == "FizzBuzz"
assert len(fizzbuzz(30)) == 30
assert fizzbuzz(0) == []
""")
problem("is_palindrome", "Write is_palindrome(s) that tells whether s reads the same backwards, ignoring case and non-letters.", """
def is_palindrome(s):
    letters = [c.lower() for c in s if c.isalpha()]
    return letters == letters[::-1]
""", """
assert is_palindrome("Racecar")
assert is_palindrome("A man, a plan, a canal: Panama")
assert not is_palindrome("hello")
assert is_palindrome("")
assert not is_palindrome("ab")
""")
problem("second_largest", "Write second_largest(xs) returning the second largest distinct value of a list, or None if there is none.", """
def second_largest(xs):
    distinct = sorted(set(xs))
    if len(distinct) < 2:
        return None
    return distinct[-2]
""", """
assert second_largest([3, 1, 4, 1, 5]) == 4
assert second_largest([2, 2]) is None
assert second_largest([]) is None
assert second_largest([-1, -7]) == -7
""")
problem("gcd", "Write gcd(a, b) computing the greatest common divisor of two non-negative integers with Euclid's algorithm.", """
def gcd(a, b):
    while b != 0:
        a, b = b, a % b
    return a
""", """
assert gcd(12, 18) == 6
assert gcd(7, 13) == 1
assert gcd(0, 5) == 5
assert gcd(5, 0) == 5
assert gcd(100, 75) == 25
""")
problem("running_mean", "Write running_mean(xs) returning the list of means of the first 1, 2, ... n values.", """
def running_mean(xs):
    out = []
    total = 0
    for i, x in enumerate(xs):
        total += x
        out.append(total / (i + 1))
    return out
""", """
assert running_mean([2, 4, 6]) == [2.0, 3.0, 4.0]
assert running_mean([]) == []
assert running_mean([5]) == [5.0]
assert running_mean([1, 1, 4]) == [1.0, 1.0, 2.0]
""")
problem("word_freq", "Write word_freq(text) returning a dict from each lower-case word to its count.", """
def word_freq(text):
    counts = {}
    for w in text.lower().split():
        counts[w] = counts.get(w, 0) + 1
    return counts
""", """
assert word_freq("a b a") == {"a": 2, "b": 1}
assert word_freq("") == {}
assert word_freq("The the THE") == {"the": 3}
""")
problem("binary_search", "Write binary_search(xs, target) returning the index of target in the sorted list xs, or -1.", """
def binary_search(xs, target):
    lo, hi = 0, len(xs) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if xs[mid] == target:
            return mid
        if xs[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1
""", """
assert binary_search([1, 3, 5, 7, 9], 7) == 3
assert binary_search([1, 3, 5, 7, 9], 1) == 0
assert binary_search([1, 3, 5, 7, 9], 9) == 4
assert binary_search([1, 3, 5, 7, 9], 4) == -1
assert binary_search([], 1) == -1
""")
problem("flatten", "Write flatten(xs) that flattens arbitrarily nested lists into one list.", """
def flatten(xs):
    out = []
    for x in xs:
        if isinstance(x, list):
            out.extend(flatten(x))
        else:
            out.append(x)
    return out
""", """
assert flatten([1, [2, [3, 4]], 5]) == [1, 2, 3, 4, 5]
assert flatten([]) == []
assert flatten([[[]]]) == []
assert flatten([[1], 2]) == [1, 2]
""")
problem("factorial", "Write factorial(n) for a non-negative integer n.", """
def factorial(n):
    result = 1
    for i in range(2, n + 1):
        result *= i
    return result
""", """
assert factorial(0) == 1
assert factorial(1) == 1
assert factorial(5) == 120
assert factorial(10) == 3628800
""")
problem("fibonacci", "Write fib(n) returning the n-th Fibonacci number, with fib(0) = 0 and fib(1) = 1.", """
def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
""", """
assert fib(0) == 0
assert fib(1) == 1
assert fib(2) == 1
assert fib(10) == 55
assert fib(30) == 832040
""")
problem("is_prime", "Write is_prime(n) that tells whether the integer n is prime.", """
def is_prime(n):
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True
""", """
assert not is_prime(1)
assert is_prime(2)
assert is_prime(13)
assert not is_prime(15)
assert not is_prime(49)
assert is_prime(97)
""")
problem("rle", "Write rle(s) that run-length encodes a string: 'aaab' becomes 'a3b1'.", """
def rle(s):
    if not s:
        return ""
    out = []
    prev, count = s[0], 1
    for ch in s[1:]:
        if ch == prev:
            count += 1
        else:
            out.append(prev + str(count))
            prev, count = ch, 1
    out.append(prev + str(count))
    return "".join(out)
""", """
assert rle("aaab") == "a3b1"
assert rle("") == ""
assert rle("abc") == "a1b1c1"
assert rle("zzzz") == "z4"
""")
problem("merge_sorted", "Write merge_sorted(a, b) merging two sorted lists into one sorted list.", """
def merge_sorted(a, b):
    i = j = 0
    out = []
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    out.extend(a[i:])
    out.extend(b[j:])
    return out
""", """
assert merge_sorted([1, 4, 9], [2, 3, 10]) == [1, 2, 3, 4, 9, 10]
assert merge_sorted([], [1, 2]) == [1, 2]
assert merge_sorted([1, 2], []) == [1, 2]
assert merge_sorted([1, 1], [1]) == [1, 1, 1]
""")
problem("digit_sum", "Write digit_sum(n) returning the sum of the decimal digits of a non-negative integer.", """
def digit_sum(n):
    total = 0
    while n > 0:
        total += n % 10
        n //= 10
    return total
""", """
assert digit_sum(0) == 0
assert digit_sum(7) == 7
assert digit_sum(1234) == 10
assert digit_sum(9999) == 36
""")
problem("caesar", "Write caesar(s, k) shifting each lower-case letter of s by k places in the alphabet, leaving other characters unchanged.", """
def caesar(s, k):
    out = []
    for ch in s:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - ord("a") + k) % 26 + ord("a")))
        else:
            out.append(ch)
    return "".join(out)
""", """
assert caesar("abc", 1) == "bcd"
assert caesar("xyz", 3) == "abc"
assert caesar("hello, world", 0) == "hello, world"
assert caesar("a b", 25) == "z a"
""")
problem("transpose", "Write transpose(m) returning the transpose of a rectangular matrix given as a list of rows.", """
def transpose(m):
    if not m:
        return []
    return [[row[j] for row in m] for j in range(len(m[0]))]
""", """
assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]
assert transpose([]) == []
assert transpose([[1]]) == [[1]]
""")
problem("max_subarray", "Write max_subarray(xs) returning the largest sum of a non-empty contiguous sub-list.", """
def max_subarray(xs):
    best = current = xs[0]
    for x in xs[1:]:
        current = max(x, current + x)
        best = max(best, current)
    return best
""", """
assert max_subarray([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6
assert max_subarray([-3, -1, -2]) == -1
assert max_subarray([5]) == 5
assert max_subarray([1, 2, 3]) == 6
""")
problem("balanced", "Write balanced(s) that tells whether the brackets ()[]{} in s are balanced.", """
def balanced(s):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in s:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack
""", """
assert balanced("([]{})")
assert not balanced("(]")
assert not balanced("((")
assert balanced("")
assert balanced("a(b)c")
assert not balanced(")(")
""")
problem("chunk", "Write chunk(xs, n) splitting a list into consecutive pieces of n items (the last may be shorter).", """
def chunk(xs, n):
    return [xs[i:i + n] for i in range(0, len(xs), n)]
""", """
assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
assert chunk([], 3) == []
assert chunk([1, 2, 3], 3) == [[1, 2, 3]]
assert chunk([1, 2, 3], 1) == [[1], [2], [3]]
""")
problem("anagrams", "Write are_anagrams(a, b) that tells whether two words are anagrams of each other, ignoring case.", """
def are_anagrams(a, b):
    return sorted(a.lower()) == sorted(b.lower())
""", """
assert are_anagrams("Listen", "Silent")
assert not are_anagrams("abc", "abd")
assert are_anagrams("", "")
assert not are_anagrams("aa", "a")
""")
problem("roman", "Write to_roman(n) converting an integer from 1 to 3999 to a Roman numeral.", """
def to_roman(n):
    values = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
              (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in values:
        while n >= v:
            out += s
            n -= v
    return out
""", """
assert to_roman(1) == "I"
assert to_roman(4) == "IV"
assert to_roman(9) == "IX"
assert to_roman(1994) == "MCMXCIV"
assert to_roman(3999) == "MMMCMXCIX"
""")
problem("dedupe", "Write dedupe(xs) removing repeated values from a list while keeping the first occurrence of each, in order.", """
def dedupe(xs):
    seen = set()
    out = []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
""", """
assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]
assert dedupe([]) == []
assert dedupe([1, 1, 1]) == [1]
""")
problem("power_set_size", "Write count_subsets_with_sum(xs, target) counting the subsets of xs whose sum is target.", """
def count_subsets_with_sum(xs, target):
    if not xs:
        return 1 if target == 0 else 0
    return count_subsets_with_sum(xs[1:], target) + count_subsets_with_sum(xs[1:], target - xs[0])
""", """
assert count_subsets_with_sum([1, 2, 3], 3) == 2
assert count_subsets_with_sum([], 0) == 1
assert count_subsets_with_sum([5], 1) == 0
assert count_subsets_with_sum([1, 1, 1], 2) == 3
""")
problem("triangle_kind", "Write triangle_kind(a, b, c) returning 'equilateral', 'isosceles', 'scalene', or 'invalid' when the sides cannot form a triangle.", """
def triangle_kind(a, b, c):
    x, y, z = sorted([a, b, c])
    if x <= 0 or x + y <= z:
        return "invalid"
    if x == z:
        return "equilateral"
    if x == y or y == z:
        return "isosceles"
    return "scalene"
""", """
assert triangle_kind(2, 2, 2) == "equilateral"
assert triangle_kind(2, 2, 3) == "isosceles"
assert triangle_kind(3, 4, 5) == "scalene"
assert triangle_kind(1, 2, 3) == "invalid"
assert triangle_kind(0, 1, 1) == "invalid"
""")
problem("median", "Write median(xs) returning the median of a non-empty list of numbers.", """
def median(xs):
    s = sorted(xs)
    n = len(s)
    mid = n // 2
    if n % 2 == 1:
        return s[mid]
    return (s[mid - 1] + s[mid]) / 2
""", """
assert median([3, 1, 2]) == 2
assert median([4, 1, 3, 2]) == 2.5
assert median([7]) == 7
assert median([1, 1, 5, 5]) == 3.0
""")
problem("capitalize_words", "Write title_case(s) capitalising the first letter of every space-separated word and lower-casing the rest.", """
def title_case(s):
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split(" "))
""", """
assert title_case("hello world") == "Hello World"
assert title_case("hELLO") == "Hello"
assert title_case("") == ""
assert title_case("a b") == "A B"
""")
problem("stack_class", "Write a class MinStack with push(x), pop() and minimum() (the smallest value on the stack).", """
class MinStack:
    def __init__(self):
        self.items = []
        self.mins = []

    def push(self, x):
        self.items.append(x)
        if not self.mins or x <= self.mins[-1]:
            self.mins.append(x)

    def pop(self):
        x = self.items.pop()
        if x == self.mins[-1]:
            self.mins.pop()
        return x

    def minimum(self):
        return self.mins[-1]
""", """
s = MinStack()
s.push(3)
s.push(1)
s.push(2)
assert s.minimum() == 1
assert s.pop() == 2
assert s.pop() == 1
assert s.minimum() == 3
s.push(3)
s.pop()
assert s.minimum() == 3
""")
problem("leap_year", "Write is_leap(year) for the Gregorian calendar.", """
def is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
""", """
assert is_leap(2024)
assert not is_leap(2023)
assert not is_leap(1900)
assert is_leap(2000)
""")

if __name__ == "__main__":
    out = pathlib.Path(__file__).resolve().parents[1] / "data" / "code-dev.json"
    out.write_text(json.dumps(P, indent=1) + "\n")
    print(f"{len(P)} problems -> {out}")
