// One order against an account: vectorbt 1.1.0's buy_nb, sell_nb and execute_order_nb with
// is_close_nb and add_nb. The twin of src/simulation/orders.ts.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "backtest.hpp"

namespace kernelbus::backtest {

constexpr double kRelTol = 1e-9;
constexpr double kAbsTol = 1e-12;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline bool isClose(double a, double b) {
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  if (a == b) return true;
  return std::fabs(a - b) <= std::max(kRelTol * std::max(std::fabs(a), std::fabs(b)), kAbsTol);
}
inline bool isCloseOrLess(double a, double b) { return isClose(a, b) || a < b; }
inline bool isLess(double a, double b) { return !isClose(a, b) && a < b; }
/// Math.sign: NaN for NaN, else -1, 0 or 1.
inline double sign(double x) { return std::isnan(x) ? kNaN : double((x > 0) - (x < 0)); }
/// vectorbt's add_nb: a sum that cancels to within isClose is exactly 0. With an operand 0 (most of
/// the flows) it is the other, or 0 where that one is within 1e-12 of 0, answered without the test.
inline double add(double a, double b) {
  if (b == 0) return std::fabs(a) <= kAbsTol ? 0.0 : a;
  if (a == 0) return std::fabs(b) <= kAbsTol ? 0.0 : b;
  const double sa = sign(a), sb = sign(b);
  const bool zero = !(sa == sb) ? isClose(std::fabs(a), std::fabs(b)) : isClose(a + b, 0);
  return zero ? 0.0 : a + b;
}

enum : int { kLong = 0, kShort = 1, kBoth = 2 };
enum : int { kBuy = 0, kSell = 1 };
enum : int { kAmount = 0, kValue = 1, kPercent = 2, kTargetAmount = 3, kTargetValue = 4, kTargetPercent = 5 };

struct Account {
  double cash = 0, position = 0, debt = 0, freeCash = 0;
};

struct Order {
  double size = 0, price = 0;
  int sizeType = 0, direction = 0;
  double fees = 0, fixedFees = 0, slippage = 0, minSize = 0;
};

struct Fill {
  double size = kNaN, price = kNaN, fees = kNaN;
  int side = 0;
};

inline bool buy(Account& s, double size, double price, const Order& o, double percent, Fill& fill, FaultAt& fault) {
  const double adjPrice = price * (1 + o.slippage);
  double cashLimit = s.cash;
  if (!std::isnan(percent)) cashLimit = std::min(cashLimit, percent * cashLimit);
  if (o.direction == kLong || o.direction == kBoth) {
    if (cashLimit == 0) return false;
    if (size == kInf && cashLimit == kInf) {
      fault.fault = SimFault::InfiniteLong;
      fault.value = size;
      return false;
    }
  } else if (s.position == 0) {
    return false;
  }
  const double adjSize = o.direction == kShort ? std::min(-s.position, size) : size;
  if (adjSize == 0) return false;
  const double reqCash = adjSize * adjPrice;
  const double reqFees = reqCash * o.fees + o.fixedFees;
  const double totalReqCash = reqCash + reqFees;
  double finalSize, feesPaid, finalReqCash;
  if (isCloseOrLess(totalReqCash, cashLimit)) {
    finalSize = adjSize;
    feesPaid = reqFees;
    finalReqCash = totalReqCash;
  } else {
    const double maxReqCash = add(cashLimit, -o.fixedFees) / (1 + o.fees);
    if (maxReqCash <= 0) return false;
    finalSize = maxReqCash / adjPrice;
    feesPaid = cashLimit - maxReqCash;
    finalReqCash = cashLimit;
  }
  if (isClose(adjSize, 0)) return false;
  if (isLess(finalSize, o.minSize)) return false;
  const double newCash = add(s.cash, -finalReqCash);
  const double newPosition = add(s.position, finalSize);
  if (s.position < 0) {
    const double shortSize = newPosition < 0 ? finalSize : std::fabs(s.position);
    const double debtDiff = shortSize * (s.debt / std::fabs(s.position));
    s.debt = add(s.debt, -debtDiff);
    s.freeCash = add(s.freeCash + 2 * debtDiff, -finalReqCash);
  } else {
    s.freeCash = add(s.freeCash, -finalReqCash);
  }
  s.cash = newCash;
  s.position = newPosition;
  fill = Fill{finalSize, adjPrice, feesPaid, kBuy};
  return true;
}

inline bool sell(Account& s, double size, double price, const Order& o, double percent, Fill& fill, FaultAt& fault) {
  const double adjPrice = price * (1 - o.slippage);
  double sizeLimit;
  if (o.direction == kLong) {
    sizeLimit = std::min(s.position, size);
  } else if (size == kInf && !std::isnan(percent)) {
    const double longSize = std::max(s.position, 0.0);
    const double longCash = longSize * adjPrice * (1 - o.fees);
    const double totalFreeCash = add(s.freeCash, longCash);
    double maxSizeLimit;
    if (totalFreeCash <= 0) {
      if (s.position <= 0) return false;
      maxSizeLimit = longSize;
    } else {
      const double maxShortSize = add(totalFreeCash, -o.fixedFees) / (adjPrice * (1 + o.fees));
      maxSizeLimit = add(longSize, maxShortSize);
      if (maxSizeLimit <= 0) return false;
    }
    sizeLimit = maxSizeLimit;
  } else {
    sizeLimit = size;
  }
  if (!std::isnan(percent)) sizeLimit = percent * sizeLimit;
  if (o.direction != kLong && sizeLimit == kInf) {
    fault.fault = SimFault::InfiniteShort;
    fault.value = -sizeLimit;
    return false;
  }
  if (o.direction == kLong && s.position == 0) return false;
  if (isClose(sizeLimit, 0)) return false;
  if (isLess(sizeLimit, o.minSize)) return false;
  const double acqCash = sizeLimit * adjPrice;
  const double feesPaid = acqCash * o.fees + o.fixedFees;
  const double finalAcqCash = add(acqCash, -feesPaid);
  if (finalAcqCash < 0) return false;
  const double newCash = s.cash + finalAcqCash;
  const double newPosition = add(s.position, -sizeLimit);
  if (newPosition < 0) {
    const double shortSize = s.position < 0 ? sizeLimit : std::fabs(newPosition);
    const double shortValue = shortSize * adjPrice;
    s.debt = s.debt + shortValue;
    s.freeCash = add(s.freeCash, add(finalAcqCash, -2 * shortValue));
  } else {
    s.freeCash = s.freeCash + finalAcqCash;
  }
  s.cash = newCash;
  s.position = newPosition;
  fill = Fill{sizeLimit, adjPrice, feesPaid, kSell};
  return true;
}

/// vectorbt's execute_order_nb: whether `o` filled (then in `fill`, `s` updated); `fault` set (its
/// fault, value) where vectorbt raises. The caller fills in the bar and column.
inline bool executeOrder(Account& s, const Order& o, double valPrice, double value, Fill& fill, FaultAt& fault) {
  if (isClose(s.cash, 0)) s.cash = 0;
  if (isClose(s.position, 0)) s.position = 0;
  if (isClose(s.debt, 0)) s.debt = 0;
  if (isClose(s.freeCash, 0)) s.freeCash = 0;
  if (isClose(valPrice, 0)) valPrice = 0;
  if (isClose(value, 0)) value = 0;
  if (std::isnan(o.size) || std::isnan(o.price)) return false;
  // the account an earlier order left (vectorbt checks it before each order)
  const auto account = [&](double value) {
    fault.fault = SimFault::Account;
    fault.value = value;
    return false;
  };
  if (std::isnan(s.cash) || s.cash < 0) return account(s.cash);
  if (!std::isfinite(s.position)) return account(s.position);
  if (!std::isfinite(s.debt) || s.debt < 0) return account(s.debt);
  if (std::isnan(s.freeCash)) return account(s.freeCash);
  if (!std::isfinite(o.price) || o.price <= 0) {
    fault.fault = SimFault::Price;
    fault.value = o.price;
    return false;
  }
  if (o.direction == kLong && s.position < 0) {
    fault.fault = SimFault::LongOnly;
    fault.value = s.position;
    return false;
  }
  if (o.direction == kShort && s.position > 0) {
    fault.fault = SimFault::ShortOnly;
    fault.value = s.position;
    return false;
  }
  double size = o.direction == kShort ? -o.size : o.size;
  int sizeType = o.sizeType;
  if (sizeType == kTargetPercent) {
    if (std::isnan(value)) return false;
    if (value <= 0) return false;
    size *= value;
    sizeType = kTargetValue;
  }
  if (sizeType == kValue || sizeType == kTargetValue) {
    if (valPrice == kInf || valPrice <= 0) {
      fault.fault = SimFault::ValPrice;
      fault.value = valPrice;
      return false;
    }
    if (std::isnan(valPrice)) return false;
    size /= valPrice;
    sizeType = sizeType == kValue ? kAmount : kTargetAmount;
  }
  if (sizeType == kTargetAmount) {
    size -= s.position;
    sizeType = kAmount;
  }
  if (sizeType == kAmount && o.direction != kLong && size == -kInf) {
    size = -1;
    sizeType = kPercent;
  }
  if (size == 0) return false;
  double percent = kNaN;
  if (sizeType == kPercent) {
    percent = std::fabs(size);
    size = sign(size) * kInf;
  }
  const bool filled = size > 0 ? buy(s, size, o.price, o, percent, fill, fault) : sell(s, -size, o.price, o, percent, fill, fault);
  if (filled && !(fill.size > 0 && fill.size < kInf && fill.price > 0 && fill.price < kInf && std::isfinite(fill.fees))) {
    fault.fault = SimFault::Fill;
    fault.value = !(fill.size > 0 && fill.size < kInf) ? fill.size : !(fill.price > 0 && fill.price < kInf) ? fill.price : fill.fees;
    return false;
  }
  return filled;
}

}  // namespace kernelbus::backtest
