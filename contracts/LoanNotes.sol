// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title LoanNotes
/// @notice Lenders' shares as ERC-1155 notes (token id = loan id, one note = one base unit of
///         principal contributed) plus a per-note income accumulator, so repayments reach every
///         holder pro rata without a loop over holders, and stay correct across note transfers.
/// @dev Accounting, per loan: `perNote` is the income distributed per note, scaled by ACC_SCALE.
///      A holder's claimable income is (notes * perNote - debt) / ACC_SCALE, rounded down.
///      The per-distribution rounding remainder is kept in `remainder` and added to the next
///      distribution: dust is carried, never lost or paid twice. That remainder is income already
///      earned by the current holders, so a transfer moves with the notes value * perNote of
///      scaled debt plus the notes' share of the remainder, value * remainder / supply, rounded
///      down: the buyer's debt then covers everything earned before the sale and the seller keeps
///      it, so no holder ever gets more than its exact share plus one scaled unit (the rounding).
///      A buyer's position may then be briefly negative (it owes its share of the remainder until
///      the next distribution folds it into perNote); it claims 0 meanwhile. Transfers are
///      zero-sum in debt, so the sum over holders of (notes * perNote - debt) is supply * perNote -
///      ACC_SCALE * claimed and the positive parts exceed it by at most `remainder`: holders can
///      never claim more than was distributed.
///      Notes are minted and burnt only before a loan's first distribution (perNote == 0).
///      Transfers share the inheriting contract's reentrancy guard, so no token callback can move
///      notes in the middle of a repayment, claim or funding.
abstract contract LoanNotes is IERC1155, IERC1155Errors, ReentrancyGuard {
    /// @notice Scale of the per-note accumulator. 1e15 keeps notes * perNote within int160 for any
    ///         loan whose lifetime income stays under ~9,000 times its principal (principal < 2^96).
    uint256 internal constant ACC_SCALE = 1e15;

    /// @dev One slot per (loan, holder): balance and scaled income debt together.
    struct Position {
        uint96 notes;
        int160 debt;
    }

    /// @dev One slot per loan. `opened` is set when the loan is listed, so the slot is never
    ///      written from zero to non-zero on the first repayment (22,100 gas saved there).
    struct Accumulator {
        uint152 perNote;
        uint96 remainder;
        bool opened;
    }

    mapping(uint256 loanId => mapping(address holder => Position)) internal _positions;
    mapping(uint256 loanId => Accumulator) internal _accumulators;
    mapping(address holder => mapping(address operator => bool)) public isApprovedForAll;

    // ------------------------------------------------------------------ ERC-1155

    function balanceOf(address holder, uint256 loanId) public view returns (uint256) {
        return _positions[loanId][holder].notes;
    }

    function balanceOfBatch(address[] calldata holders, uint256[] calldata loanIds)
        external
        view
        returns (uint256[] memory balances)
    {
        if (holders.length != loanIds.length) revert ERC1155InvalidArrayLength(loanIds.length, holders.length);
        balances = new uint256[](holders.length);
        for (uint256 i; i < holders.length; ++i) {
            balances[i] = _positions[loanIds[i]][holders[i]].notes;
        }
    }

    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert ERC1155InvalidOperator(address(0));
        isApprovedForAll[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function safeTransferFrom(address from, address to, uint256 loanId, uint256 value, bytes calldata data)
        external
        nonReentrant
    {
        _checkTransfer(from, to);
        _moveNotes(from, to, loanId, value);
        emit TransferSingle(msg.sender, from, to, loanId, value);
        ERC1155Utils.checkOnERC1155Received(msg.sender, from, to, loanId, value, data);
    }

    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata loanIds,
        uint256[] calldata values,
        bytes calldata data
    ) external nonReentrant {
        if (loanIds.length != values.length) revert ERC1155InvalidArrayLength(loanIds.length, values.length);
        _checkTransfer(from, to);
        for (uint256 i; i < loanIds.length; ++i) {
            _moveNotes(from, to, loanIds[i], values[i]);
        }
        emit TransferBatch(msg.sender, from, to, loanIds, values);
        ERC1155Utils.checkOnERC1155BatchReceived(msg.sender, from, to, loanIds, values, data);
    }

    function supportsInterface(bytes4 interfaceId) public view virtual returns (bool) {
        return interfaceId == type(IERC1155).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ income accounting

    /// @dev Income `holder` can claim from loan `loanId` now, in loan-token base units (rounded down).
    function _claimable(uint256 loanId, address holder) internal view returns (uint256) {
        Position memory p = _positions[loanId][holder];
        return _claimableOf(p, _accumulators[loanId].perNote);
    }

    /// @dev Spread `amount` over `supply` notes; the rounding remainder waits for the next call.
    function _distribute(uint256 loanId, uint256 amount, uint256 supply) internal {
        Accumulator memory acc = _accumulators[loanId];
        uint256 scaled = amount * ACC_SCALE + acc.remainder;
        _accumulators[loanId] = Accumulator({
            perNote: SafeCast.toUint152(acc.perNote + scaled / supply),
            remainder: uint96(scaled % supply), // < supply <= type(uint96).max
            opened: true
        });
    }

    /// @dev Pre-pay the accumulator slot's first write (see `Accumulator`).
    function _openAccumulator(uint256 loanId) internal {
        _accumulators[loanId].opened = true;
    }

    /// @dev Mark everything `holder` can claim from `loanId` as claimed and return it.
    function _takeClaimable(uint256 loanId, address holder) internal returns (uint256 amount) {
        Position storage p = _positions[loanId][holder];
        amount = _claimableOf(p, _accumulators[loanId].perNote);
        p.debt += SafeCast.toInt160(SafeCast.toInt256(amount * ACC_SCALE));
    }

    /// @dev Mint before the loan's first distribution (perNote == 0), so no debt is owed.
    function _mintNotes(address to, uint256 loanId, uint256 value) internal {
        _positions[loanId][to].notes += SafeCast.toUint96(value);
        emit TransferSingle(msg.sender, address(0), to, loanId, value);
        ERC1155Utils.checkOnERC1155Received(msg.sender, address(0), to, loanId, value, "");
    }

    /// @dev Burn before the loan's first distribution (perNote == 0); returns the burnt amount.
    function _burnAllNotes(address from, uint256 loanId) internal returns (uint256 value) {
        value = _positions[loanId][from].notes;
        delete _positions[loanId][from];
        emit TransferSingle(msg.sender, from, address(0), loanId, value);
    }

    function _checkTransfer(address from, address to) private view {
        if (to == address(0)) revert ERC1155InvalidReceiver(address(0));
        if (from != msg.sender && !isApprovedForAll[from][msg.sender]) {
            revert ERC1155MissingApprovalForAll(msg.sender, from);
        }
    }

    /// @dev Supply of loan `loanId`'s notes (its funded principal).
    function _noteSupply(uint256 loanId) internal view virtual returns (uint256);

    /// @dev Move notes with the scaled income they have earned so far (see the contract's notes),
    ///      so the seller keeps what it earned and the buyer gets only what is earned after.
    function _moveNotes(address from, address to, uint256 loanId, uint256 value) private {
        Accumulator memory acc = _accumulators[loanId];
        uint256 earned = value * acc.perNote;
        if (acc.remainder != 0) earned += value * acc.remainder / _noteSupply(loanId); // rounded down
        int160 movedDebt = SafeCast.toInt160(SafeCast.toInt256(earned));
        Position storage src = _positions[loanId][from];
        uint256 balance = src.notes;
        if (balance < value) revert ERC1155InsufficientBalance(from, balance, value, loanId);
        src.notes = uint96(balance - value);
        src.debt -= movedDebt;
        Position storage dst = _positions[loanId][to];
        dst.notes += uint96(value); // sum of notes is bounded by the loan's uint96 principal
        dst.debt += movedDebt;
    }

    function _claimableOf(Position memory p, uint256 perNote) private pure returns (uint256) {
        int256 pending = int256(uint256(p.notes) * perNote) - p.debt;
        return pending > 0 ? uint256(pending) / ACC_SCALE : 0;
    }
}
