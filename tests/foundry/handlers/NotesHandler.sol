// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {Ghost} from "./Ghost.sol";
import {HandlerBase} from "./HandlerBase.sol";

/// @title NotesHandler
/// @notice ERC-1155 note transfers between holders: by the holder or an approved operator, single
///         or batched (two loans), including to oneself; the ghost moves the exact share debt along.
contract NotesHandler is HandlerBase {
    constructor(Ghost ghost_) HandlerBase(ghost_) {}

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 loanSeed, uint256 amountSeed, bool byOperator)
        external
        step
    {
        (uint256 loanId, bool found) = _pickLoan(loanSeed, isAny);
        if (!found) return;
        address from = _pickHolder(fromSeed, loanId);
        address to = _actor(toSeed);
        uint256 notes = ghost.holder(loanId, from).notes;
        if (notes == 0) return;
        uint256 amount = amountSeed % 3 == 0 ? notes : _bound(amountSeed >> 2, 1, notes);
        address caller = from;
        if (byOperator) {
            caller = _actor(toSeed + 1);
            vm.prank(from);
            IERC1155(address(book)).setApprovalForAll(caller, true);
        }
        vm.prank(caller);
        IERC1155(address(book)).safeTransferFrom(from, to, loanId, amount, "");
        ghost.moveNotes(loanId, from, to, amount);
        if (byOperator) {
            vm.prank(from);
            IERC1155(address(book)).setApprovalForAll(caller, false);
        }
    }

    function transferBatch(uint256 fromSeed, uint256 toSeed, uint256 loanSeed, uint256 amountSeed) external step {
        uint256[] memory all = ghost.allLoans();
        if (all.length < 2) return;
        uint256[] memory ids = new uint256[](2);
        ids[0] = all[loanSeed % all.length];
        ids[1] = all[(loanSeed + 1 + (loanSeed >> 8) % (all.length - 1)) % all.length];
        address from = _pickHolder(fromSeed, ids[0]);
        address to = _actor(toSeed);
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = _bound(amountSeed, 0, ghost.holder(ids[0], from).notes);
        amounts[1] = _bound(amountSeed >> 128, 0, ghost.holder(ids[1], from).notes);
        vm.prank(from);
        IERC1155(address(book)).safeBatchTransferFrom(from, to, ids, amounts, "");
        ghost.moveNotes(ids[0], from, to, amounts[0]);
        ghost.moveNotes(ids[1], from, to, amounts[1]);
    }
}
